using System.Runtime.CompilerServices;

// Kernels stackalloc small scratch buffers (block scales, lanes) on every call and always write before
// reading them; zero-initialising them costs more than some of the dot products they serve.
[module: SkipLocalsInit]
