using System.Runtime.InteropServices;
using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// The few llama.cpp v0.5.0 calls the benchmark needs beyond the conformance harness's <c>LlamaNative</c>:
/// its own timing counters and its build/CPU feature summary (include/llama.h).
/// </summary>
internal static unsafe class LlamaBenchNative
{
    private static readonly Lazy<nint> Library = new(() =>
    {
        LlamaLibrary.EnsureInitialized();
        // Already loaded by EnsureInitialized; this only takes another reference to the same handle.
        return NativeLibrary.Load(Path.Combine(LlamaLibrary.Directory!, LlamaLibrary.LlamaFileName));
    });

    /// <summary><c>llama_perf_context</c>: llama.cpp's timing of the decode calls since the last reset.</summary>
    public static LlamaPerfContextData PerfContext(nint context) =>
        ((delegate* unmanaged<nint, LlamaPerfContextData>)Export("llama_perf_context"))(context);

    /// <summary><c>llama_perf_context_reset</c>.</summary>
    public static void PerfContextReset(nint context) =>
        ((delegate* unmanaged<nint, void>)Export("llama_perf_context_reset"))(context);

    /// <summary><c>llama_print_system_info</c>: the CPU features the loaded ggml backend was built for and uses.</summary>
    public static string SystemInfo() =>
        Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)Export("llama_print_system_info"))()) ?? "";

    private static nint Export(string name) =>
        NativeLibrary.TryGetExport(Library.Value, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"llama.cpp library lacks '{name}': is it release v0.5.0?");
}

/// <summary><c>struct llama_perf_context_data</c> of llama.cpp v0.5.0 (include/llama.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double StartMs;          // t_start_ms
    public double LoadMs;           // t_load_ms
    public double PromptEvalMs;     // t_p_eval_ms: decode calls of more than one token
    public double EvalMs;           // t_eval_ms: decode calls of one token
    public int PromptTokenCount;    // n_p_eval
    public int EvalCount;           // n_eval
    public int ReusedCount;         // n_reused
}
