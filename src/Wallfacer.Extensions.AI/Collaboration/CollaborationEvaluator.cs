using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>One prompt of an evaluation set, with the answer considered right.</summary>
public sealed record EvalItem(string Prompt, string Reference);

/// <summary>What both sides answered for one item, how sure the local model was, and what it cost.</summary>
public sealed record EvalOutcome(EvalItem Item, string LocalAnswer, double LocalMeanLogprob, TimeSpan LocalLatency,
    string CloudAnswer, TimeSpan CloudLatency, long CloudTokens);

/// <summary>One point of the curve: a threshold and what collaborating at it gives.</summary>
public sealed record ThresholdPoint(double Threshold, double LocalShare, double ExactMatch, double Similarity,
    double QualityVsCloud, double QualityVsLocal, double MedianLatencyMs, double P95LatencyMs, long CloudTokensSaved);

/// <summary>
/// <c>collab-eval</c>: every prompt is answered once by the local model (recording its confidence and
/// latency) and once by the cloud; then the cascade is replayed offline for each threshold — an item is kept
/// local when its mean token log-probability reaches the threshold, else the cloud answer counts and its
/// latency adds to the local one. Quality is exact match (normalised) and a token-overlap F1 against the
/// reference; "vs cloud" and "vs local" divide by the all-cloud and all-local similarity.
/// </summary>
public static class CollaborationEvaluator
{
    /// <summary>Reads a JSONL file of <c>{"prompt": …, "reference": …}</c> lines (bounded: 10,000 items, 64 KiB per line).</summary>
    public static List<EvalItem> ReadJsonl(string path)
    {
        var items = new List<EvalItem>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
                continue;
            if (line.Length > 65536)
                throw new InvalidDataException($"{path}:{lineNumber}: line longer than 64 KiB.");
            if (items.Count == 10_000)
                throw new InvalidDataException($"{path}: more than 10,000 items.");
            try
            {
                using var doc = JsonDocument.Parse(line);
                string prompt = doc.RootElement.GetProperty("prompt").GetString() ?? throw new InvalidDataException("null prompt");
                string reference = doc.RootElement.GetProperty("reference").GetString() ?? throw new InvalidDataException("null reference");
                items.Add(new EvalItem(prompt, reference));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected {{\"prompt\": string, \"reference\": string}} ({ex.Message}).");
            }
        }
        return items;
    }

    public static async Task<List<EvalOutcome>> RunAsync(IChatClient local, IChatClient cloud, IReadOnlyList<EvalItem> items,
        ChatOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<EvalOutcome>();
        foreach (var item in items)
        {
            var clock = Stopwatch.StartNew();
            var l = await local.GetResponseAsync(item.Prompt, options.Clone(), cancellationToken).ConfigureAwait(false);
            var localLatency = clock.Elapsed;
            double confidence = l.AdditionalProperties?.TryGetValue(WallfacerChatClient.ConfidenceKey, out object? c) == true && c is GenerationConfidence g
                ? g.MeanLogprob : double.NegativeInfinity;
            clock.Restart();
            var r = await cloud.GetResponseAsync(item.Prompt, options.Clone(), cancellationToken).ConfigureAwait(false);
            outcomes.Add(new EvalOutcome(item, l.Text, confidence, localLatency, r.Text, clock.Elapsed,
                (r.Usage?.InputTokenCount ?? 0) + (r.Usage?.OutputTokenCount ?? 0)));
            progress?.Report(outcomes.Count);
        }
        return outcomes;
    }

    public static List<ThresholdPoint> Curve(IReadOnlyList<EvalOutcome> outcomes, IEnumerable<double> thresholds)
    {
        double allCloud = outcomes.Average(o => Similarity(o.CloudAnswer, o.Item.Reference));
        double allLocal = outcomes.Average(o => Similarity(o.LocalAnswer, o.Item.Reference));
        var points = new List<ThresholdPoint>();
        foreach (double threshold in thresholds.Order())
        {
            var kept = outcomes.Select(o => o.LocalMeanLogprob >= threshold).ToArray();
            var answers = outcomes.Select((o, i) => kept[i] ? o.LocalAnswer : o.CloudAnswer).ToArray();
            var latencies = outcomes.Select((o, i) => (kept[i] ? o.LocalLatency : o.LocalLatency + o.CloudLatency).TotalMilliseconds).Order().ToArray();
            double similarity = outcomes.Select((o, i) => Similarity(answers[i], o.Item.Reference)).Average();
            points.Add(new ThresholdPoint(
                threshold,
                LocalShare: kept.Count(k => k) / (double)outcomes.Count,
                ExactMatch: outcomes.Select((o, i) => Normalize(answers[i]) == Normalize(o.Item.Reference) ? 1.0 : 0.0).Average(),
                Similarity: similarity,
                QualityVsCloud: allCloud > 0 ? similarity / allCloud : 0,
                QualityVsLocal: allLocal > 0 ? similarity / allLocal : 0,
                MedianLatencyMs: Percentile(latencies, 0.5),
                P95LatencyMs: Percentile(latencies, 0.95),
                CloudTokensSaved: outcomes.Where((o, i) => kept[i]).Sum(o => o.CloudTokens)));
        }
        return points;
    }

    /// <summary>Token-overlap F1 of normalised words (SQuAD-style), in [0, 1].</summary>
    public static double Similarity(string answer, string reference)
    {
        var a = Normalize(answer).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = Normalize(reference).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (a.Length == 0 || b.Length == 0)
            return a.Length == b.Length ? 1 : 0;
        var counts = b.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        int common = 0;
        foreach (string word in a)
        {
            if (counts.TryGetValue(word, out int n) && n > 0)
            {
                common++;
                counts[word] = n - 1;
            }
        }
        if (common == 0)
            return 0;
        double precision = (double)common / a.Length, recall = (double)common / b.Length;
        return 2 * precision * recall / (precision + recall);
    }

    private static string Normalize(string text) =>
        string.Join(' ', new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w is not ("a" or "an" or "the")));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
