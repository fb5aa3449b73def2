using System.Runtime.InteropServices;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// <c>struct llama_batch</c> of llama.cpp v0.5.0 (include/llama.h), 56 bytes on x64. Allocated by
/// <c>llama_batch_init</c> and freed by <c>llama_batch_free</c>; we only write through its arrays.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal unsafe struct LlamaBatch
{
    [FieldOffset(0)] public int TokenCount;        // n_tokens (4 bytes of padding follow)
    [FieldOffset(8)] public int* Tokens;           // (n) llama_token
    [FieldOffset(16)] public float* Embeddings;    // (n, embd), null for token batches
    [FieldOffset(24)] public int* Positions;       // (n) llama_pos
    [FieldOffset(32)] public int* SequenceIdCounts; // (n) n_seq_id
    [FieldOffset(40)] public int** SequenceIds;    // (n, n_seq_max) llama_seq_id
    [FieldOffset(48)] public sbyte* Outputs;       // (n) "logits": 1 = return logits for this position
}
