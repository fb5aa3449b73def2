using System.Text.Encodings.Web;
using System.Text.Json;

namespace Wallfacer.Cli.Commands;

/// <summary>The CLI's JSON output settings: camelCase, and text left readable (no \u escapes for non-ASCII).</summary>
internal static class JsonOptions
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Compact = new(Indented) { WriteIndented = false };
}
