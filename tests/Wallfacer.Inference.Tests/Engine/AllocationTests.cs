using Wallfacer.Inference.Engine;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;

namespace Wallfacer.Inference.Tests.Engine;

/// <summary>Steady-state generation allocates nothing per token (design decision 5), for the common weight types.</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_K)]
    public void Evaluating_a_token_allocates_nothing_once_warm(GgmlType type)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "alloc.gguf");
        SyntheticModelWriter.Write(SyntheticModelFixture.Spec with { WeightType = type, EmbeddingLength = 256, FeedForwardLength = 512 }, path);
        using var model = LanguageModel.Load(path);
        // One thread: all work runs on this thread, so its allocation counter sees everything.
        using var session = model.CreateSession(new SessionOptions { Threads = 1, ContextLength = 128 });
        var token = new int[1];
        session.Evaluate([1, 20, 30, 40]);
        for (int i = 0; i < 5; i++)
        {
            token[0] = 50 + i;
            session.Evaluate(token);
        }
        // Steady state means every token: an allocation per token shows in every window, including one that the
        // garbage collector did not pause (a paused one can show phantom bytes; see QuietAllocationWindow).
        int warm = session.Tokens.Count;
        long allocated = QuietAllocationWindow.OnThisThread(() =>
        {
            session.Rewind(warm);
            for (int i = 0; i < 20; i++)
            {
                token[0] = 100 + i;
                session.Evaluate(token);
            }
        });
        Assert.True(allocated == 0, $"{allocated} bytes allocated over 20 tokens");
    }
}
