using System.Text;

namespace Wallfacer.Conformance.Reference;

public sealed unsafe partial class LlamaReferenceModel
{
    /// <summary>llama.cpp's grammar sampler over this model's vocabulary, or null when llama.cpp cannot parse <paramref name="gbnf"/>.</summary>
    public LlamaGrammarSampler? CreateGrammarSampler(string gbnf, string root = "root")
    {
        lock (gate)
        {
            ThrowIfDisposed();
            fixed (byte* g = Encoding.UTF8.GetBytes(gbnf + "\0"))
            fixed (byte* r = Encoding.UTF8.GetBytes(root + "\0"))
            {
                nint sampler = LlamaNative.SamplerInitGrammar(vocab, g, r);
                return sampler == 0 ? null : new LlamaGrammarSampler(sampler, VocabSize);
            }
        }
    }
}

/// <summary>
/// llama.cpp's grammar sampler (<c>llama_sampler_init_grammar</c>): <see cref="Allowed"/> runs <c>llama_sampler_apply</c>
/// on candidates with logit 0 and reports the ones it left finite; <see cref="Accept"/> is <c>llama_sampler_accept</c>
/// (only for allowed tokens: llama.cpp aborts on a refused one).
/// </summary>
public sealed unsafe class LlamaGrammarSampler : IDisposable
{
    private nint sampler;
    private readonly int vocabSize;

    internal LlamaGrammarSampler(nint sampler, int vocabSize)
    {
        this.sampler = sampler;
        this.vocabSize = vocabSize;
    }

    /// <summary>Which of <paramref name="tokens"/> the grammar allows next.</summary>
    public bool[] Allowed(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(sampler == 0, this);
        var data = new LlamaTokenData[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabSize) throw new ArgumentOutOfRangeException(nameof(tokens));
            data[i] = new LlamaTokenData { Id = tokens[i] };
        }
        fixed (LlamaTokenData* p = data)
        {
            var array = new LlamaTokenDataArray { Data = p, Size = (nuint)data.Length, Selected = -1 };
            LlamaNative.SamplerApply(sampler, &array);
            if (array.Data != p || array.Size != (nuint)data.Length)
                throw new InvalidOperationException("llama.cpp's grammar sampler reshaped the candidates.");
        }
        return [.. data.Select(d => !float.IsNegativeInfinity(d.Logit))];
    }

    /// <summary>The whole vocabulary's mask.</summary>
    public bool[] AllowedAll() => Allowed([.. Enumerable.Range(0, vocabSize)]);

    public void Accept(int token)
    {
        ObjectDisposedException.ThrowIf(sampler == 0, this);
        LlamaNative.SamplerAccept(sampler, token);
    }

    public void Dispose()
    {
        if (sampler != 0) LlamaNative.SamplerFree(sampler);
        sampler = 0;
    }
}
