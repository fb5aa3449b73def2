using System.Runtime.InteropServices;
using Wallfacer.Gguf;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Models.Synthetic;

/// <summary>
/// Writes a GGUF file with random weights for a <see cref="SyntheticModelSpec"/>, through the project's own
/// <see cref="GgufWriter"/> and <see cref="Quantizer"/>. The same spec and seed always give the same bytes.
/// The file carries a synthetic SentencePiece vocabulary; what the model writes is noise.
/// </summary>
public static class SyntheticModelWriter
{
    /// <summary>Writes the model to <paramref name="path"/>. <paramref name="progress"/> receives the fraction of tensors done.</summary>
    public static void Write(SyntheticModelSpec spec, string path, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var writer = Build(spec, progress, cancellationToken);
        string temp = path + ".partial";
        writer.Write(temp);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Builds the writer with every key and tensor added (for tests that want bytes in memory).</summary>
    public static GgufWriter Build(SyntheticModelSpec spec, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var w = new GgufWriter();
        AddMetadata(w, spec);
        var tensors = TensorList(spec).ToList();
        var random = new SplitMix64(spec.Seed);
        for (int i = 0; i < tensors.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (name, requested, dims, kind) = tensors[i];
            var type = StorableType(requested, dims[0]);
            w.AddTensor(name, type, dims, MakeData(type, dims, kind, spec, random));
            progress?.Report((i + 1.0) / tensors.Count);
        }
        return w;
    }

    private static void AddMetadata(GgufWriter w, SyntheticModelSpec s)
    {
        string a = s.Architecture;
        int headDim = s.ResolvedHeadDim;
        w.Add(GgufKeys.GeneralArchitecture, a);
        w.Add(GgufKeys.GeneralName, $"synthetic {a} (random weights, seed {s.Seed})");
        w.Add(GgufKeys.ContextLength(a), (uint)s.ContextLength);
        w.Add(GgufKeys.EmbeddingLength(a), (uint)s.EmbeddingLength);
        w.Add(GgufKeys.BlockCount(a), (uint)s.BlockCount);
        w.Add(GgufKeys.FeedForwardLength(a), (uint)s.FeedForwardLength);
        w.Add(GgufKeys.HeadCount(a), (uint)s.HeadCount);
        w.Add(GgufKeys.HeadCountKv(a), (uint)s.KvHeadCount);
        if (headDim != s.EmbeddingLength / s.HeadCount)
        {
            w.Add(GgufKeys.KeyLength(a), (uint)headDim);
            w.Add(GgufKeys.ValueLength(a), (uint)headDim);
        }
        w.Add(GgufKeys.RopeDimensionCount(a), (uint)headDim);
        w.Add(GgufKeys.RopeFreqBase(a), s.RopeFreqBase);
        w.Add(GgufKeys.LayerNormRmsEpsilon(a), s.RmsNormEpsilon);
        if (a == "minicpm")
        {
            w.Add(GgufKeys.EmbeddingScale(a), 12f);
            w.Add(GgufKeys.ResidualScale(a), 1.4f / MathF.Sqrt(s.BlockCount));
            w.Add(GgufKeys.LogitScale(a), s.EmbeddingLength / 256f);
        }
        if (s.WithLongRope)
        {
            w.Add(GgufKeys.RopeScalingType(a), "longrope");
            w.Add(GgufKeys.RopeScalingOriginalContextLength(a), (uint)Math.Min(s.ContextLength, 4096));
        }
        var (tokens, scores, types) = SyntheticVocabulary.Create(s.VocabSize);
        if (s.WithChatTemplate)
            AddChatTokens(w, s, tokens, types);
        w.Add(GgufKeys.TokenizerModel, "llama");
        w.Add(GgufKeys.TokenizerTokens, tokens);
        w.Add(GgufKeys.TokenizerScores, scores);
        w.Add(GgufKeys.TokenizerTokenType, types);
        w.Add(GgufKeys.TokenizerBosId, (uint)SyntheticVocabulary.Bos);
        w.Add(GgufKeys.TokenizerEosId, (uint)SyntheticVocabulary.Eos);
        w.Add(GgufKeys.TokenizerUnknownId, (uint)SyntheticVocabulary.Unknown);
        w.Add(GgufKeys.TokenizerAddBos, true);
        w.Add(GgufKeys.TokenizerAddEos, false);
    }

    /// <summary>The ChatML format (Qwen's): <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message.</summary>
    public const string ChatMlTemplate =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + (message['content'] or '') + '<|im_end|>' + '\\n' }}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static void AddChatTokens(GgufWriter w, SyntheticModelSpec s, string[] tokens, int[] types)
    {
        int start = tokens.Length - 2, end = tokens.Length - 1;
        tokens[start] = "<|im_start|>";
        tokens[end] = "<|im_end|>";
        types[start] = types[end] = 3; // control
        for (int i = 0; i < s.ExtraTokens.Count; i++)
        {
            int id = start - 1 - i;
            if (id < 259)
                throw new ArgumentException("The vocabulary is too small for the extra tokens.", nameof(s));
            (tokens[id], types[id]) = s.ExtraTokens[i];
        }
        w.Add(GgufKeys.TokenizerEotId, (uint)end);
        w.Add(GgufKeys.TokenizerChatTemplate, s.ChatTemplate ?? ChatMlTemplate);
    }

    private enum Kind { Matrix, Norm, Bias, RopeFactor }

    /// <summary>
    /// A K-quant needs rows of whole 256-element super-blocks; like llama.cpp's quantizer (llama-quant.cpp) a
    /// tensor whose rows are not gets the nearest legacy type instead (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0;
    /// Q2_K/Q3_K → Q4_0, where llama.cpp would pick IQ4_NL, which Wallfacer does not run).
    /// </summary>
    internal static GgmlType StorableType(GgmlType type, long rowLength)
    {
        if (rowLength % GgmlTypeInfo.BlockSize(type) == 0)
            return type;
        return type switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            GgmlType.Q2_K or GgmlType.Q3_K => GgmlType.Q4_0,
            _ => throw new ArgumentException($"Rows of {rowLength} elements cannot be stored as {type}."),
        };
    }

    private static IEnumerable<(string Name, GgmlType Type, long[] Dims, Kind Kind)> TensorList(SyntheticModelSpec s)
    {
        long e = s.EmbeddingLength, ffn = s.FeedForwardLength, d = s.ResolvedHeadDim;
        long q = s.HeadCount * d, kv = s.KvHeadCount * d;
        var embType = s.EmbeddingType ?? s.WeightType;
        yield return (TensorNames.TokenEmbedding, embType, [e, s.VocabSize], Kind.Matrix);
        yield return (TensorNames.OutputNorm, GgmlType.F32, [e], Kind.Norm);
        if (!s.TiedOutput)
            yield return (TensorNames.Output, s.OutputType ?? s.WeightType, [e, s.VocabSize], Kind.Matrix);
        if (s.WithRopeFrequencyFactors)
            yield return (TensorNames.RopeFrequencies, GgmlType.F32, [d / 2], Kind.RopeFactor);
        if (s.WithLongRope)
        {
            yield return (TensorNames.RopeFactorsLong, GgmlType.F32, [d / 2], Kind.RopeFactor);
            yield return (TensorNames.RopeFactorsShort, GgmlType.F32, [d / 2], Kind.RopeFactor);
        }
        for (int i = 0; i < s.BlockCount; i++)
        {
            yield return (TensorNames.AttentionNorm(i), GgmlType.F32, [e], Kind.Norm);
            yield return (TensorNames.Query(i), s.WeightType, [e, q], Kind.Matrix);
            yield return (TensorNames.Key(i), s.WeightType, [e, kv], Kind.Matrix);
            yield return (TensorNames.Value(i), s.WeightType, [e, kv], Kind.Matrix);
            if (s.Architecture == "qwen2")
            {
                yield return (TensorNames.QueryBias(i), GgmlType.F32, [q], Kind.Bias);
                yield return (TensorNames.KeyBias(i), GgmlType.F32, [kv], Kind.Bias);
                yield return (TensorNames.ValueBias(i), GgmlType.F32, [kv], Kind.Bias);
            }
            if (s.Architecture == "qwen3")
            {
                yield return (TensorNames.QueryNorm(i), GgmlType.F32, [d], Kind.Norm);
                yield return (TensorNames.KeyNorm(i), GgmlType.F32, [d], Kind.Norm);
            }
            yield return (TensorNames.AttentionOutput(i), s.WeightType, [q, e], Kind.Matrix);
            yield return (TensorNames.FeedForwardNorm(i), GgmlType.F32, [e], Kind.Norm);
            yield return (TensorNames.Gate(i), s.WeightType, [e, ffn], Kind.Matrix);
            yield return (TensorNames.Up(i), s.WeightType, [e, ffn], Kind.Matrix);
            yield return (TensorNames.Down(i), s.FeedForwardDownType ?? s.WeightType, [ffn, e], Kind.Matrix);
        }
    }

    private static ReadOnlyMemory<byte> MakeData(GgmlType type, long[] dims, Kind kind, SyntheticModelSpec s, SplitMix64 random)
    {
        int columns = checked((int)dims[0]);
        long rows = dims.Length > 1 ? dims[1] : 1;
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        var bytes = new byte[checked(rowBytes * rows)];
        var row = new float[columns];
        for (long r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                row[c] = Sample(kind, random, s.WeightScale);
            Quantizer.QuantizeRow(type, row, bytes.AsSpan(checked((int)(r * rowBytes)), (int)rowBytes));
        }
        return bytes;
    }

    private static float Sample(Kind kind, SplitMix64 random, float scale)
    {
        float u = (float)(random.NextDouble() * 2 - 1); // uniform in [-1, 1)
        return kind switch
        {
            Kind.Matrix => u * scale * 1.7320508f,       // uniform with standard deviation `scale`
            Kind.Norm => 1.0f + 0.1f * u,                // gains near one
            Kind.Bias => 0.1f * u,
            _ => 1.0f + 2.0f * (u + 1),                  // RoPE divisors in [1, 5)
        };
    }

    /// <summary>A tiny portable generator so the same seed yields the same file on every machine.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public double NextDouble()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0);
        }
    }
}
