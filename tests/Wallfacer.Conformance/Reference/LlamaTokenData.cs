using System.Runtime.InteropServices;

namespace Wallfacer.Conformance.Reference;

/// <summary><c>llama_token_data</c>: a candidate token with its logit and probability.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenData
{
    public int Id;
    public float Logit;
    public float P;
}

/// <summary><c>llama_token_data_array</c>, as llama.h declares it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* Data;
    public nuint Size;
    public long Selected;
    public byte Sorted;
}
