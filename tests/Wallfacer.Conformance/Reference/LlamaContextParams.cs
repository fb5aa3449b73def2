using System.Runtime.InteropServices;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// <c>struct llama_context_params</c> of llama.cpp v0.5.0 (include/llama.h), 160 bytes on x64.
/// Fill it from <c>llama_context_default_params()</c> and change only the sizes and thread counts;
/// every field is declared so the layout can be checked against llama.h's field order.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 160)]
internal struct LlamaContextParams
{
    [FieldOffset(0)] public uint ContextSize;         // n_ctx
    [FieldOffset(4)] public uint BatchSize;           // n_batch (logical)
    [FieldOffset(8)] public uint MicroBatchSize;      // n_ubatch (physical)
    [FieldOffset(12)] public uint MaxSequences;       // n_seq_max
    [FieldOffset(16)] public uint RecurrentSnapshots; // n_rs_seq
    [FieldOffset(20)] public uint MaxOutputs;         // n_outputs_max
    [FieldOffset(24)] public uint MaxOutputsPerSequence;
    [FieldOffset(28)] public int Threads;             // n_threads
    [FieldOffset(32)] public int BatchThreads;        // n_threads_batch
    [FieldOffset(36)] public int ContextType;         // enum llama_context_type
    [FieldOffset(40)] public int RopeScalingType;
    [FieldOffset(44)] public int PoolingType;
    [FieldOffset(48)] public int AttentionType;
    [FieldOffset(52)] public int FlashAttentionType;
    [FieldOffset(56)] public float RopeFrequencyBase;
    [FieldOffset(60)] public float RopeFrequencyScale;
    [FieldOffset(64)] public float YarnExtrapolationFactor;
    [FieldOffset(68)] public float YarnAttentionFactor;
    [FieldOffset(72)] public float YarnBetaFast;
    [FieldOffset(76)] public float YarnBetaSlow;
    [FieldOffset(80)] public uint YarnOriginalContext;
    [FieldOffset(84)] public float DefragThreshold;
    [FieldOffset(88)] public nint EvalCallback;       // ggml_backend_sched_eval_callback
    [FieldOffset(96)] public nint EvalCallbackUserData;
    [FieldOffset(104)] public int KeyCacheType;       // enum ggml_type
    [FieldOffset(108)] public int ValueCacheType;     // enum ggml_type
    [FieldOffset(112)] public nint AbortCallback;
    [FieldOffset(120)] public nint AbortCallbackData;

    // One-byte C bools, adjacent; two bytes of padding follow before the pointers.
    [FieldOffset(128)] public byte Embeddings;
    [FieldOffset(129)] public byte OffloadKqv;
    [FieldOffset(130)] public byte NoPerf;
    [FieldOffset(131)] public byte OpOffload;
    [FieldOffset(132)] public byte SwaFull;
    [FieldOffset(133)] public byte KvUnified;

    [FieldOffset(136)] public nint Samplers;          // llama_sampler_seq_config *
    [FieldOffset(144)] public nuint SamplerCount;     // size_t
    [FieldOffset(152)] public nint OtherContext;      // llama_context *
}
