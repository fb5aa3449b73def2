using System.Runtime.InteropServices;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// <c>struct llama_model_params</c> of llama.cpp v0.5.0 (include/llama.h), 80 bytes on x64.
/// Only the fields we change are named; the rest are kept as opaque words so that a copy of
/// <c>llama_model_default_params()</c> round-trips unchanged. Offsets follow llama.h's field order
/// with natural alignment (checked by <c>ReferenceSmokeTests.StructLayouts_MatchLlamaH</c>).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal struct LlamaModelParams
{
    [FieldOffset(0)] public nint Devices;               // ggml_backend_dev_t *
    [FieldOffset(8)] public nint TensorBufferOverrides; // const llama_model_tensor_buft_override *
    [FieldOffset(16)] public int GpuLayerCount;          // n_gpu_layers
    [FieldOffset(20)] public int SplitMode;              // enum llama_split_mode
    [FieldOffset(24)] public int LoadMode;               // enum llama_load_mode
    [FieldOffset(28)] public int LazyMode;               // enum llama_lazy_mode
    [FieldOffset(32)] public int MainGpu;                // main_gpu (4 bytes of padding follow)
    [FieldOffset(40)] public nint TensorSplit;           // const float *
    [FieldOffset(48)] public nint ProgressCallback;      // llama_progress_callback
    [FieldOffset(56)] public nint ProgressCallbackUserData;
    [FieldOffset(64)] public nint KvOverrides;           // const llama_model_kv_override *

    // C bools are one byte each, packed together at the end (llama.h keeps them adjacent on purpose).
    [FieldOffset(72)] public byte VocabOnly;
    [FieldOffset(73)] public byte CheckTensors;
    [FieldOffset(74)] public byte UseExtraBufferTypes;
    [FieldOffset(75)] public byte NoHost;
    [FieldOffset(76)] public byte NoAlloc;
    [FieldOffset(77)] public byte LoadMtp;
}
