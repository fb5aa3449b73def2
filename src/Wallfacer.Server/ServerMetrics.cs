using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Wallfacer.Server;

/// <summary>
/// Counters for <c>GET /metrics</c> in the Prometheus text format: requests by route and status, tokens in and
/// out, cached prompt tokens, queue depth and busy slots, a request-duration histogram, and the generation
/// speed of recent requests. Thread-safe; cheap enough to update on every request.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly double[] Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private readonly ConcurrentDictionary<(string Route, int Status), long> _requests = new();
    private readonly long[] _bucketCounts = new long[Buckets.Length + 1];
    private readonly object _gate = new();
    private double _durationSum;
    private long _durationCount, _promptTokens, _cachedTokens, _generatedTokens;
    private double _recentTokensPerSecond;

    public void RecordRequest(string route, int status, TimeSpan duration)
    {
        _requests.AddOrUpdate((route, status), 1, (_, n) => n + 1);
        lock (_gate)
        {
            double seconds = duration.TotalSeconds;
            int bucket = Array.FindIndex(Buckets, b => seconds <= b);
            _bucketCounts[bucket < 0 ? Buckets.Length : bucket]++;
            _durationSum += seconds;
            _durationCount++;
        }
    }

    public void RecordGeneration(int promptTokens, int cachedTokens, int generatedTokens, TimeSpan generationTime)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedTokens, cachedTokens);
        Interlocked.Add(ref _generatedTokens, generatedTokens);
        if (generatedTokens > 1 && generationTime > TimeSpan.Zero)
        {
            lock (_gate) // exponential moving average over requests
                _recentTokensPerSecond = 0.8 * _recentTokensPerSecond + 0.2 * (generatedTokens / generationTime.TotalSeconds);
        }
    }

    public string Render(ServedModel served)
    {
        var text = new StringBuilder();
        Line(text, "# HELP wallfacer_requests_total HTTP requests by route and status.");
        Line(text, "# TYPE wallfacer_requests_total counter");
        foreach (var ((route, status), count) in _requests.OrderBy(kv => kv.Key.Route).ThenBy(kv => kv.Key.Status))
            Line(text, $"wallfacer_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}");
        Counter(text, "wallfacer_prompt_tokens_total", "Prompt tokens received.", Interlocked.Read(ref _promptTokens));
        Counter(text, "wallfacer_prompt_tokens_cached_total", "Prompt tokens reused from a slot's cache.", Interlocked.Read(ref _cachedTokens));
        Counter(text, "wallfacer_generated_tokens_total", "Tokens generated.", Interlocked.Read(ref _generatedTokens));
        Gauge(text, "wallfacer_queue_depth", "Requests waiting for a slot.", served.Scheduler.QueueDepth);
        Gauge(text, "wallfacer_slots_busy", "Slots generating now.", served.Scheduler.ActiveCount);
        Gauge(text, "wallfacer_slots_total", "Slots.", served.Scheduler.SlotCount);
        lock (_gate)
        {
            Gauge(text, "wallfacer_generation_tokens_per_second", "Generation speed of recent requests (moving average).", _recentTokensPerSecond);
            Line(text, "# HELP wallfacer_request_duration_seconds Request latency.");
            Line(text, "# TYPE wallfacer_request_duration_seconds histogram");
            long cumulative = 0;
            for (int i = 0; i < Buckets.Length; i++)
            {
                cumulative += _bucketCounts[i];
                Line(text, $"wallfacer_request_duration_seconds_bucket{{le=\"{Buckets[i].ToString(CultureInfo.InvariantCulture)}\"}} {cumulative}");
            }
            Line(text, $"wallfacer_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative + _bucketCounts[^1]}");
            Line(text, $"wallfacer_request_duration_seconds_sum {_durationSum.ToString(CultureInfo.InvariantCulture)}");
            Line(text, $"wallfacer_request_duration_seconds_count {_durationCount}");
        }
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Line(text, $"# HELP {name} {help}");
        Line(text, $"# TYPE {name} counter");
        Line(text, $"{name} {value}");
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Line(text, $"# HELP {name} {help}");
        Line(text, $"# TYPE {name} gauge");
        Line(text, $"{name} {value.ToString(CultureInfo.InvariantCulture)}");
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
