declare module 'wgsl_reflect/wgsl_reflect.module.js' { export * from 'wgsl_reflect'; }
