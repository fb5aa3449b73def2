using System.Text.Json;

namespace Wallfacer.Bench;

/// <summary>The child-to-parent wire format: one line of camelCase JSON.</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
