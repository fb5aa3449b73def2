using System.Text.Json;

namespace Wallfacer.Hub;

/// <summary>
/// Parses the hub's <c>/api/models/{repo}/revision/{rev}?blobs=true</c> reply: <c>sha</c> (the commit) and
/// <c>siblings[]</c> with <c>rfilename</c>, <c>size</c>, <c>blobId</c> and <c>lfs: {sha256, size}</c>. Everything
/// that later becomes a path or a blob name is validated here, once.
/// </summary>
internal static class RepoInfoReader
{
    private const int MaxJsonDepth = 16; // the reply nests three levels; anything deeper is not the hub

    /// <summary>Reads at most <paramref name="maxBytes"/> of <paramref name="content"/>, then parses it.</summary>
    public static async Task<RepoInfo> ReadAsync(string repoId, HttpContent content, long maxBytes, CancellationToken ct)
    {
        if (content.Headers.ContentLength > maxBytes)
            throw TooLarge(repoId, maxBytes);
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(repoId, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return Parse(repoId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    public static RepoInfo Parse(string repoId, ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            var root = doc.RootElement;
            string commit = RequiredString(root, "sha");
            if (!Hex.IsLowerHex(commit, 40))
                throw Invalid(repoId, $"commit '{commit}' is not a 40-digit hex hash");
            var files = new List<RepoFile>();
            if (root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
            {
                foreach (var sibling in siblings.EnumerateArray())
                    files.Add(ReadSibling(repoId, sibling));
            }
            return new RepoInfo(repoId, commit, files);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid(repoId, ex.Message, ex);
        }
    }

    private static RepoFile ReadSibling(string repoId, JsonElement sibling)
    {
        string path = RequiredString(sibling, "rfilename");
        if (!SafeRelativePath.IsSafe(path))
            throw new HubException(HubErrorKind.InvalidResponse,
                $"refusing unsafe file name from the server for {repoId}: '{path}' (it would leave the cache folder).");
        long size = sibling.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : -1;
        string? blobId = OptionalString(sibling, "blobId");
        if (blobId != null && !Hex.IsLowerHex(blobId, 40))
            throw Invalid(repoId, $"blobId of '{path}' is not a 40-digit hex hash");

        string? sha256 = null;
        if (sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
        {
            sha256 = RequiredString(lfs, "sha256");
            if (!Hex.IsLowerHex(sha256, 64))
                throw Invalid(repoId, $"lfs.sha256 of '{path}' is not a 64-digit hex hash");
            if (lfs.TryGetProperty("size", out var lfsSize) && lfsSize.ValueKind == JsonValueKind.Number)
                size = lfsSize.GetInt64();
        }
        if (size < 0)
            throw Invalid(repoId, $"'{path}' has no valid size");
        return new RepoFile(path, size, sha256, blobId);
    }

    private static string RequiredString(JsonElement element, string name) =>
        OptionalString(element, name) ?? throw new FormatException($"missing string property '{name}'");

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static HubException TooLarge(string repoId, long maxBytes) =>
        new(HubErrorKind.InvalidResponse, $"the hub's file list for {repoId} is larger than {maxBytes:N0} bytes; refusing it.");

    private static HubException Invalid(string repoId, string detail, Exception? inner = null) =>
        new(HubErrorKind.InvalidResponse, $"the hub's file list for {repoId} is malformed: {detail}.", inner);
}
