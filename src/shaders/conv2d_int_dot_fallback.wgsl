// Packed int8 helpers without `packed_4x8_integer_dot_product`: sign-extend each byte with shifts.
fn unpack4(a: u32) -> vec4<i32> {
  let s = bitcast<i32>(a);
  return vec4<i32>((s << 24u) >> 24u, (s << 16u) >> 24u, (s << 8u) >> 24u, s >> 24u);
}
fn dot4(a: u32, b: u32) -> i32 { return dot(unpack4(a), unpack4(b)); }
