namespace Wallfacer.Models;

/// <summary>
/// GGUF tensor names of the Llama family, in one table (llama.cpp llama-arch.cpp). Per-block names take
/// the block index.
/// </summary>
public static class TensorNames
{
    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string Output = "output.weight";
    public const string RopeFrequencies = "rope_freqs.weight";
    public const string RopeFactorsLong = "rope_factors_long.weight";
    public const string RopeFactorsShort = "rope_factors_short.weight";

    public static string AttentionNorm(int block) => $"blk.{block}.attn_norm.weight";
    public static string Query(int block) => $"blk.{block}.attn_q.weight";
    public static string Key(int block) => $"blk.{block}.attn_k.weight";
    public static string Value(int block) => $"blk.{block}.attn_v.weight";
    public static string QueryBias(int block) => $"blk.{block}.attn_q.bias";
    public static string KeyBias(int block) => $"blk.{block}.attn_k.bias";
    public static string ValueBias(int block) => $"blk.{block}.attn_v.bias";
    public static string QueryNorm(int block) => $"blk.{block}.attn_q_norm.weight";
    public static string KeyNorm(int block) => $"blk.{block}.attn_k_norm.weight";
    public static string AttentionOutput(int block) => $"blk.{block}.attn_output.weight";
    public static string FeedForwardNorm(int block) => $"blk.{block}.ffn_norm.weight";
    public static string Gate(int block) => $"blk.{block}.ffn_gate.weight";
    public static string Up(int block) => $"blk.{block}.ffn_up.weight";
    public static string Down(int block) => $"blk.{block}.ffn_down.weight";
}
