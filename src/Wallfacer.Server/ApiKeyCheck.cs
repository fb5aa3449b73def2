using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server;

/// <summary>
/// When keys are configured, every route but <c>/health</c> needs <c>Authorization: Bearer KEY</c>. Keys are
/// compared in constant time (and against every key), so timing reveals nothing about them.
/// </summary>
internal sealed class ApiKeyCheck(IReadOnlyList<string> keys)
{
    private readonly byte[][] _keys = keys.Select(k => Encoding.UTF8.GetBytes(k)).ToArray();

    public bool Enabled => _keys.Length > 0;

    public bool Allows(HttpContext http)
    {
        if (!Enabled || http.Request.Path.StartsWithSegments("/health"))
            return true;
        string header = http.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        byte[] given = Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim());
        bool match = false;
        foreach (byte[] key in _keys)
            match |= given.Length == key.Length && CryptographicOperations.FixedTimeEquals(given, key);
        return match;
    }

    public static OpenAiError Rejection(HttpContext http) => new(401,
        http.Request.Headers.Authorization.Count == 0
            ? "Missing API key: send Authorization: Bearer <key>."
            : "Invalid API key.",
        "invalid_request_error", code: "invalid_api_key");
}
