// Packed int8 helpers on devices with WGSL `packed_4x8_integer_dot_product`.
fn dot4(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }
fn unpack4(a: u32) -> vec4<i32> { return unpack4xI8(a); }
