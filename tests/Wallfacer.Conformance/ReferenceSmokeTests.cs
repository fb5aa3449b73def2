using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Wallfacer.Conformance.Reference;
using Wallfacer.TestSupport;

namespace Wallfacer.Conformance;

/// <summary>
/// Checks that the llama.cpp reference harness itself works: the P/Invoke layouts match llama.h, and
/// stories260K behaves as llama.cpp is known to behave (docs/conformance.md, models/SOURCES.md).
/// </summary>
[Collection(LlamaCollection.Name)]
public sealed class ReferenceSmokeTests
{
    private const string Prompt = "Once upon a time";

    private static string Stories => TestPaths.SharedModel("stories260K.gguf");

    [Fact]
    public void StructLayouts_MatchLlamaH()
    {
        // Sizes measured with an offsetof probe against the shipped v0.5.0 headers.
        Assert.Equal(80, Marshal.SizeOf<LlamaModelParams>());
        Assert.Equal(80, Unsafe.SizeOf<LlamaModelParams>());
        Assert.Equal(160, Marshal.SizeOf<LlamaContextParams>());
        Assert.Equal(160, Unsafe.SizeOf<LlamaContextParams>());
        Assert.Equal(56, Marshal.SizeOf<LlamaBatch>());
        Assert.Equal(56, Unsafe.SizeOf<LlamaBatch>());

        // Fields after padding holes, where a wrong layout would shift everything behind them.
        Assert.Equal(40, (int)Marshal.OffsetOf<LlamaModelParams>(nameof(LlamaModelParams.TensorSplit)));
        Assert.Equal(72, (int)Marshal.OffsetOf<LlamaModelParams>(nameof(LlamaModelParams.VocabOnly)));
        Assert.Equal(28, (int)Marshal.OffsetOf<LlamaContextParams>(nameof(LlamaContextParams.Threads)));
        Assert.Equal(128, (int)Marshal.OffsetOf<LlamaContextParams>(nameof(LlamaContextParams.Embeddings)));
        Assert.Equal(136, (int)Marshal.OffsetOf<LlamaContextParams>(nameof(LlamaContextParams.Samplers)));
        Assert.Equal(8, (int)Marshal.OffsetOf<LlamaBatch>(nameof(LlamaBatch.Tokens)));
        Assert.Equal(48, (int)Marshal.OffsetOf<LlamaBatch>(nameof(LlamaBatch.Outputs)));
    }

    [ReferenceFact]
    public void DefaultParams_HaveLlamaCppDefaults()
    {
        // If the layout were off, these known defaults (src/llama-context.cpp, llama-model.cpp) would read wrong.
        LlamaLibrary.EnsureInitialized();
        LlamaContextParams context = ReadContextDefaults();
        Assert.Equal(512u, context.ContextSize);
        Assert.Equal(2048u, context.BatchSize);
        Assert.Equal(512u, context.MicroBatchSize);
        Assert.Equal(1u, context.MaxSequences);
        Assert.Equal(-1f, context.YarnExtrapolationFactor);
        Assert.Equal(1, context.OffloadKqv);
        Assert.Equal(0, context.KvUnified);
        LlamaModelParams model = ReadModelDefaults();
        Assert.Equal(-1, model.GpuLayerCount);
        Assert.Equal(0, model.VocabOnly);
        Assert.Equal(1, model.UseExtraBufferTypes);
    }

    [ReferenceFact(NeedsShared = true)]
    public void Tokenize_PromptStartsWithBos()
    {
        using var model = LlamaReferenceModel.Load(Stories);
        int[] tokens = model.Tokenize(Prompt, addSpecial: true, parseSpecial: true);
        Assert.True(tokens.Length > 1);
        Assert.Equal(model.Bos, tokens[0]);
        Assert.DoesNotContain(model.Bos, tokens[1..]);
    }

    [ReferenceFact(NeedsShared = true)]
    public void GenerateGreedy_ContinuesWithTheKnownStory()
    {
        using var model = LlamaReferenceModel.Load(Stories);
        int[] prompt = model.Tokenize(Prompt, addSpecial: true, parseSpecial: true);
        int[] generated = model.GenerateGreedy(prompt, 40, out float[][] logitsPerStep);

        Assert.Equal(40, generated.Length);
        Assert.Equal(40, logitsPerStep.Length);
        byte[] text = [.. generated.SelectMany(t => model.TokenToPiece(t, special: false))];
        Assert.StartsWith(", there was a little girl named Lily", Encoding.UTF8.GetString(text));
        for (int i = 0; i < generated.Length; i++)
            Assert.Equal(ArgMax(logitsPerStep[i]), generated[i]);
    }

    [ReferenceFact(NeedsShared = true)]
    public void EvaluateLogits_ReturnsEveryPositionAndAgreesWithGreedy()
    {
        using var model = LlamaReferenceModel.Load(Stories);
        int[] prompt = model.Tokenize(Prompt, addSpecial: true, parseSpecial: true);
        int[] eight = [.. prompt, .. model.GenerateGreedy(prompt, 8 - prompt.Length, out _)];
        Assert.Equal(8, eight.Length);

        float[][] logits = model.EvaluateLogits(eight);

        Assert.Equal(8, logits.Length);
        Assert.All(logits, row => Assert.Equal(model.VocabSize, row.Length));
        Assert.All(logits, row => Assert.All(row, v => Assert.True(float.IsFinite(v))));
        int firstGreedy = model.GenerateGreedy(eight, 1, out _).Single();
        Assert.Equal(firstGreedy, ArgMax(logits[^1]));
        // Rows differ by position: a batch that returned one row eight times would fail here.
        Assert.NotEqual(logits[0], logits[^1]);
    }

    [ReferenceFact(NeedsShared = true)]
    public void Perplexity_OnASimpleStory_IsLow()
    {
        using var model = LlamaReferenceModel.Load(Stories, contextSize: 128);
        int[] tokens = model.Tokenize(ReferenceTexts.TinyStory, addSpecial: true, parseSpecial: false);
        Assert.True(tokens.Length >= 4 * 128, $"the story should give several chunks, got {tokens.Length} tokens");

        double ppl = model.Perplexity(tokens, 128);

        Assert.True(double.IsFinite(ppl) && ppl > 1 && ppl < 50, $"perplexity {ppl}");
    }

    [ReferenceFact(NeedsShared = true)]
    public void VocabOnly_TokenizesAndRoundTrips()
    {
        using var model = LlamaReferenceModel.Load(TestPaths.SharedVocab("ggml-vocab-llama-bpe.gguf"), vocabOnly: true);
        int[] tokens = model.Tokenize("Hello world", addSpecial: false, parseSpecial: false);

        Assert.NotEmpty(tokens);
        Assert.Equal("Hello world", Encoding.UTF8.GetString(model.Detokenize(tokens, false, false)));
        Assert.Throws<InvalidOperationException>(() => model.EvaluateLogits(tokens));
    }

    [ReferenceFact(NeedsShared = true)]
    public void BadInput_GetsClearExceptions()
    {
        using var model = LlamaReferenceModel.Load(Stories, contextSize: 16);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => model.EvaluateLogits([model.Bos, model.VocabSize]));
        Assert.Contains("index 1", outside.Message);
        Assert.Throws<ArgumentException>(() => model.EvaluateLogits([]));
        Assert.Throws<ArgumentException>(() => model.GenerateGreedy([model.Bos], 16, out _));
        Assert.Throws<ArgumentException>(() => model.Perplexity([model.Bos, 5, 6], 8));
        Assert.Throws<FileNotFoundException>(() => LlamaReferenceModel.Load(Stories + ".missing"));
        string garbage = Path.Combine(TestPaths.NewTempDir(), "garbage.gguf");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("GGUF but not really a model file"));
        var refused = Assert.Throws<InvalidDataException>(() => LlamaReferenceModel.Load(garbage));
        Assert.Contains(garbage, refused.Message);
    }

    private static unsafe LlamaContextParams ReadContextDefaults() => LlamaNative.ContextDefaultParams();

    private static unsafe LlamaModelParams ReadModelDefaults() => LlamaNative.ModelDefaultParams();

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }
}
