using System.Runtime.InteropServices;
using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Quants;

/// <summary>
/// Function pointers into llama.cpp's prebuilt <c>libggml-base.so</c> (and, for the activation quantizers
/// and dot products, one CPU variant), loaded by full path so no DllImport resolver is needed. The folder
/// is <c>WALLFACER_LLAMA_DIR</c> if set, else the npm package installed by scripts/install-reference.sh.
/// Struct layouts were checked against ggml/include/ggml.h and ggml-cpu.h of release v0.5.0.
/// </summary>
internal static unsafe class GgmlNative
{
    public const string InstallHint = "Run scripts/install-reference.sh (or set WALLFACER_LLAMA_DIR to the folder holding libggml-base.so).";

    private static readonly Lazy<Exports?> Loaded = new(Load);

    public static string LibraryDir =>
        Environment.GetEnvironmentVariable("WALLFACER_LLAMA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(TestPaths.RepoRoot, ".reference", "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");

    /// <summary>Null when the library is absent or cannot be loaded on this OS.</summary>
    public static Exports? Library => Loaded.Value;

    public static string MissingReason =>
        $"libggml-base.so not found or not loadable in {LibraryDir}. {InstallHint}";

    private static Exports? Load()
    {
        string basePath = Path.Combine(LibraryDir, "libggml-base.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(basePath) || !NativeLibrary.TryLoad(basePath, out IntPtr handle))
            return null;
        // The haswell variant (AVX2 + F16C + FMA) holds the x86 SIMD kernels llama.cpp uses on such CPUs.
        IntPtr cpu = IntPtr.Zero;
        string cpuPath = Path.Combine(LibraryDir, "libggml-cpu-haswell.so");
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported && File.Exists(cpuPath))
            NativeLibrary.TryLoad(cpuPath, out cpu);
        return new Exports(handle, cpu);
    }

    /// <summary>The exports the quantization tests call.</summary>
    public sealed class Exports
    {
        private readonly delegate* unmanaged<int, TypeTraits*> _getTypeTraits;
        private readonly delegate* unmanaged<int, CpuTypeTraits*> _getCpuTypeTraits;

        public Exports(IntPtr baseLib, IntPtr cpuLib)
        {
            _getTypeTraits = (delegate* unmanaged<int, TypeTraits*>)NativeLibrary.GetExport(baseLib, "ggml_get_type_traits");
            Fp16ToFp32 = (delegate* unmanaged<ushort, float>)NativeLibrary.GetExport(baseLib, "ggml_fp16_to_fp32");
            Fp32ToFp16 = (delegate* unmanaged<float, ushort>)NativeLibrary.GetExport(baseLib, "ggml_fp32_to_fp16");
            Bf16ToFp32 = (delegate* unmanaged<ushort, float>)NativeLibrary.GetExport(baseLib, "ggml_bf16_to_fp32");
            Fp32ToBf16 = (delegate* unmanaged<float, ushort>)NativeLibrary.GetExport(baseLib, "ggml_fp32_to_bf16");
            QuantizeChunk = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)NativeLibrary.GetExport(baseLib, "ggml_quantize_chunk");
            if (cpuLib != IntPtr.Zero)
            {
                ((delegate* unmanaged<void>)NativeLibrary.GetExport(cpuLib, "ggml_cpu_init"))();
                _getCpuTypeTraits = (delegate* unmanaged<int, CpuTypeTraits*>)NativeLibrary.GetExport(cpuLib, "ggml_get_type_traits_cpu");
            }
        }

        public delegate* unmanaged<ushort, float> Fp16ToFp32 { get; }
        public delegate* unmanaged<float, ushort> Fp32ToFp16 { get; }
        public delegate* unmanaged<ushort, float> Bf16ToFp32 { get; }
        public delegate* unmanaged<float, ushort> Fp32ToBf16 { get; }

        /// <summary>ggml_quantize_chunk(type, src, dst, start, nrows, n_per_row, imatrix) → bytes written.</summary>
        public delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint> QuantizeChunk { get; }

        public bool HasCpu => _getCpuTypeTraits != null;

        public TypeTraits* Traits(int type) => _getTypeTraits(type);

        public CpuTypeTraits* CpuTraits(int type) => _getCpuTypeTraits(type);
    }

    /// <summary>struct ggml_type_traits (ggml.h): 56 bytes on x64.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 56)]
    public struct TypeTraits
    {
        [FieldOffset(0)] public IntPtr TypeName;
        [FieldOffset(8)] public long BlockSize;
        [FieldOffset(16)] public long BlockSizeInterleave;
        [FieldOffset(24)] public nuint TypeSize;
        [FieldOffset(32)] public byte IsQuantized;
        /// <summary>void to_float(const void * x, float * y, int64_t k).</summary>
        [FieldOffset(40)] public delegate* unmanaged<void*, float*, long, void> ToFloat;
        /// <summary>void from_float_ref(const float * x, void * y, int64_t k).</summary>
        [FieldOffset(48)] public delegate* unmanaged<float*, void*, long, void> FromFloatRef;
    }

    /// <summary>struct ggml_type_traits_cpu (ggml-cpu.h): from_float, vec_dot, vec_dot_type, nrows.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct CpuTypeTraits
    {
        [FieldOffset(0)] public delegate* unmanaged<float*, void*, long, void> FromFloat;
        /// <summary>void vec_dot(int n, float * s, size_t bs, const void * x, size_t bx, const void * y, size_t by, int nrc).</summary>
        [FieldOffset(8)] public delegate* unmanaged<int, float*, nuint, void*, nuint, void*, nuint, int, void> VecDot;
        [FieldOffset(16)] public int VecDotType;
        [FieldOffset(24)] public long Rows;
    }
}
