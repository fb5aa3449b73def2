using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// A small trained router (RouteLLM's idea at its smallest): logistic regression over <see cref="RouterFeatures"/>
/// giving the probability that the local model's answer to a request would fail, learnt from a <c>collab-eval</c>
/// run (which knows, per prompt, whether the local answer matched the reference). Above <see cref="Threshold"/>, the
/// request goes straight to the cloud without a local attempt.
/// </summary>
public sealed record TrainedRouter
{
    public required IReadOnlyList<string> Features { get; init; }
    public required IReadOnlyList<double> Weights { get; init; }
    public required double Bias { get; init; }

    /// <summary>Route to the cloud when the predicted failure probability is above this.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>How many examples it was trained on, and how many of those it classifies right (for the user's judgement).</summary>
    public int TrainedOn { get; init; }
    public int TrainingCorrect { get; init; }

    /// <summary>The probability that the local answer to <paramref name="prompt"/> fails.</summary>
    public double LocalFailureProbability(string prompt)
    {
        double[] x = RouterFeatures.Of(prompt);
        double z = Bias;
        for (int i = 0; i < x.Length; i++)
            z += Weights[i] * x[i];
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>
    /// Fits the weights by full-batch gradient descent with a little L2 (deterministic: same data, same router).
    /// <paramref name="examples"/>: each prompt with whether the local answer was good.
    /// </summary>
    public static TrainedRouter Train(IReadOnlyList<(string Prompt, bool LocalGood)> examples, double threshold = 0.5, int epochs = 2000, double learningRate = 0.5, double l2 = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count < 2)
            throw new ArgumentException("A router needs at least two examples.", nameof(examples));
        var x = examples.Select(e => RouterFeatures.Of(e.Prompt)).ToArray();
        var y = examples.Select(e => e.LocalGood ? 0.0 : 1.0).ToArray(); // 1 = the local answer fails
        int n = x.Length, d = RouterFeatures.Names.Count;
        var w = new double[d];
        double b = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var gw = new double[d];
            double gb = 0;
            for (int i = 0; i < n; i++)
            {
                double z = b;
                for (int j = 0; j < d; j++) z += w[j] * x[i][j];
                double error = 1 / (1 + Math.Exp(-z)) - y[i];
                for (int j = 0; j < d; j++) gw[j] += error * x[i][j];
                gb += error;
            }
            for (int j = 0; j < d; j++) w[j] -= learningRate * (gw[j] / n + l2 * w[j]);
            b -= learningRate * gb / n;
        }
        var router = new TrainedRouter { Features = RouterFeatures.Names, Weights = w, Bias = b, Threshold = threshold, TrainedOn = n };
        int correct = examples.Count(e => router.LocalFailureProbability(e.Prompt) > threshold == !e.LocalGood);
        return router with { TrainingCorrect = correct };
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, RouterJson.Default.TrainedRouter));

    /// <exception cref="ArgumentException">Not a router file, or made for other features (named).</exception>
    public static TrainedRouter Load(string path)
    {
        TrainedRouter? router;
        try
        {
            router = JsonSerializer.Deserialize(File.ReadAllBytes(path), RouterJson.Default.TrainedRouter);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: not a router file: {e.Message}", nameof(path), e);
        }
        if (router is null || !router.Features.SequenceEqual(RouterFeatures.Names) || router.Weights.Count != RouterFeatures.Names.Count)
            throw new ArgumentException($"{path}: the router was trained on features [{string.Join(", ", router?.Features ?? [])}], " +
                                        $"this version computes [{string.Join(", ", RouterFeatures.Names)}]; train it again with collab-eval --train-router.", nameof(path));
        return router;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TrainedRouter))]
internal sealed partial class RouterJson : JsonSerializerContext;
