using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Wallfacer.Hub.Tests;

/// <summary>
/// A loopback imitation of the Hugging Face hub, enough to exercise <see cref="HubClient"/>:
/// <list type="bullet">
/// <item><c>GET /api/models/{owner}/{name}/revision/{rev}</c>: the JSON the hub sends with <c>?blobs=true</c>;</item>
/// <item><c>GET /{owner}/{name}/resolve/{rev}/{file}</c>: a 302 to the blob on another host name (localhost instead
///   of 127.0.0.1, as the hub redirects LFS files to its CDN) with <c>X-Repo-Commit</c>, <c>X-Linked-Etag</c> and
///   <c>X-Linked-Size</c>; git-stored files are served directly;</item>
/// <item><c>GET /blobs/{sha256}</c>: the bytes, honouring <c>Range: bytes=N-</c> (206, or 416 past the end).</item>
/// </list>
/// Per file it can cut the connection after N bytes, stall after N bytes, ignore ranges, or serve wrong bytes.
/// Hub requests need <see cref="RequiredToken"/> when it is set; every request is logged.
/// It runs on the BCL's <see cref="HttpListener"/>, not Kestrel: a framework reference to ASP.NET Core in the CLI
/// tests would prune packages the child <c>wallfacer</c> process needs beside it.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);

    private FakeHub(HttpListener listener, int port)
    {
        _listener = listener;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>http://127.0.0.1:{port}: the hub's own host, to which the token may be sent.</summary>
    public Uri Endpoint { get; }

    /// <summary>When set, hub requests (not CDN blobs) need <c>Authorization: Bearer {RequiredToken}</c>, else 401.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>When true, every hub request gets 403 GatedRepo, as a gated repository whose terms were not accepted.</summary>
    public bool Gated { get; set; }

    public ConcurrentQueue<RequestRecord> Requests { get; } = new();

    public IEnumerable<RequestRecord> BlobRequests => Requests.Where(r => r.Path.StartsWith("/blobs/", StringComparison.Ordinal));

    public static Task<FakeHub> StartAsync()
    {
        // HttpListener cannot bind port 0; take a free port from the OS and retry if another test grabs it first.
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Prefixes.Add($"http://localhost:{port}/");
            try
            {
                listener.Start();
                return Task.FromResult(new FakeHub(listener, port));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public FakeRepo AddRepo(string repoId)
    {
        var repo = new FakeRepo(repoId);
        _repos[repoId] = repo;
        return repo;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Abort();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
        _stopping.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = Task.Run(() => HandleSafelyAsync(context));
        }
    }

    private async Task HandleSafelyAsync(HttpListenerContext context)
    {
        try
        {
            await HandleAsync(context);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            context.Response.Abort(); // the client went away, or we cut it off on purpose
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var record = new RequestRecord(request.Url!.AbsolutePath, request.Headers["Range"] ?? "", request.Headers["Authorization"] ?? "");
        Requests.Enqueue(record);
        string[] parts = request.Url.AbsolutePath.Trim('/').Split('/');
        if (parts is ["blobs", var sha])
        {
            await ServeBlobAsync(context, sha, record);
            return;
        }
        if (!Authorized(context))
            return;
        if (parts is ["api", "models", var owner, var name, "revision", var revision])
            await ServeInfoAsync(context, owner + "/" + name, Uri.UnescapeDataString(revision));
        else if (parts.Length >= 5 && parts[2] == "resolve")
            await ServeResolveAsync(context, parts[0] + "/" + parts[1], parts[3], string.Join('/', parts[4..].Select(Uri.UnescapeDataString)), record);
        else
            Fail(context, 404, "RepoNotFound");
    }

    private bool Authorized(HttpListenerContext context)
    {
        if (Gated)
        {
            Fail(context, 403, "GatedRepo");
            return false;
        }
        if (RequiredToken == null || context.Request.Headers["Authorization"] == "Bearer " + RequiredToken)
            return true;
        Fail(context, 401, "RepoNotFound");
        return false;
    }

    private async Task ServeInfoAsync(HttpListenerContext context, string repoId, string revision)
    {
        if (!_repos.TryGetValue(repoId, out var repo))
        {
            Fail(context, 404, "RepoNotFound");
            return;
        }
        if (revision != "main" && revision != repo.Commit)
        {
            Fail(context, 404, "RevisionNotFound");
            return;
        }
        var siblings = repo.Files.Values.Select(f => f.InGit
            ? (object)new { rfilename = f.ListedPath, blobId = f.BlobId, size = f.Content.Length }
            : new { rfilename = f.ListedPath, blobId = f.BlobId, size = f.Content.Length, lfs = new { sha256 = f.Sha256, size = f.Content.Length, pointerSize = 134 } });
        byte[] json = Encoding.UTF8.GetBytes(repo.InfoOverride ?? JsonSerializer.Serialize(new { id = repoId, sha = repo.Commit, siblings }));
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = json.Length;
        await context.Response.OutputStream.WriteAsync(json);
    }

    private async Task ServeResolveAsync(HttpListenerContext context, string repoId, string revision, string path, RequestRecord record)
    {
        if (!_repos.TryGetValue(repoId, out var repo) || (revision != "main" && revision != repo.Commit)
            || !repo.Files.TryGetValue(path, out var file))
        {
            Fail(context, 404, "EntryNotFound");
            return;
        }
        var response = context.Response;
        response.Headers["X-Repo-Commit"] = repo.Commit;
        if (file.InGit)
        {
            response.Headers["ETag"] = $"\"{file.BlobId}\"";
            await ServeBytesAsync(context, file, record);
            return;
        }
        response.Headers["X-Linked-Etag"] = $"\"{file.Sha256}\"";
        response.Headers["X-Linked-Size"] = file.Content.Length.ToString(CultureInfo.InvariantCulture);
        response.StatusCode = 302;
        response.RedirectLocation = $"http://localhost:{Endpoint.Port}/blobs/{file.Sha256}";
        response.ContentLength64 = 0;
    }

    private async Task ServeBlobAsync(HttpListenerContext context, string sha, RequestRecord record)
    {
        var file = _repos.Values.SelectMany(r => r.Files.Values).FirstOrDefault(f => f.Sha256 == sha);
        if (file == null)
        {
            Fail(context, 404, "EntryNotFound");
            return;
        }
        await ServeBytesAsync(context, file, record);
    }

    private async Task ServeBytesAsync(HttpListenerContext context, FakeFile file, RequestRecord record)
    {
        var response = context.Response;
        byte[] content = file.ServeWrongBytes ? file.Content.Select(b => (byte)~b).ToArray() : file.Content;
        long start = 0;
        string range = context.Request.Headers["Range"] ?? "";
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && !file.IgnoreRange)
        {
            start = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{content.Length}";
                response.ContentLength64 = 0;
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        response.ContentLength64 = content.Length - start;
        long limit = content.Length - start;
        bool cut = file.CutsLeft > 0 && Interlocked.Decrement(ref file.CutsLeft) >= 0;
        if (cut)
            limit = Math.Min(limit, file.CutAfter);
        if (file.StallAfter is { } stall)
            limit = Math.Min(limit, stall);
        record.BytesSent = limit; // before writing: the client may finish reading before this handler resumes
        await response.OutputStream.WriteAsync(content.AsMemory((int)start, (int)limit));
        await response.OutputStream.FlushAsync();
        if (file.StallAfter != null)
            await Task.Delay(TimeSpan.FromSeconds(30), _stopping.Token); // until the client gives up or the test ends
        if (cut)
        {
            await Task.Delay(200); // let the client read what was sent before the connection goes
            throw new IOException("cut on purpose"); // HandleSafelyAsync aborts the connection
        }
    }

    private static void Fail(HttpListenerContext context, int status, string code)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["X-Error-Code"] = code;
        context.Response.Headers["X-Error-Message"] = code + " (fake hub)";
        context.Response.ContentLength64 = 0;
    }
}

public sealed class RequestRecord(string path, string range, string authorization)
{
    public string Path { get; } = path;
    public string Range { get; } = range;
    public string Authorization { get; } = authorization;
    public long BytesSent { get; set; }
}

public sealed class FakeRepo(string id)
{
    public string Id { get; } = id;

    public string Commit { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public ConcurrentDictionary<string, FakeFile> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Replaces the repository-info JSON, to serve malformed or hostile replies.</summary>
    public string? InfoOverride { get; set; }

    public FakeFile Add(string path, byte[] content, bool inGit = false)
    {
        var file = new FakeFile(path, content, inGit);
        Files[path] = file;
        return file;
    }

    /// <summary>A file of <paramref name="size"/> random bytes.</summary>
    public FakeFile Add(string path, int size = 200_000) => Add(path, RandomNumberGenerator.GetBytes(size));
}

public sealed class FakeFile(string path, byte[] content, bool inGit)
{
    public string Path { get; } = path;
    public byte[] Content { get; } = content;
    public bool InGit { get; } = inGit;
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(content));
    public string BlobId { get; } = Convert.ToHexStringLower(SHA1.HashData(content));

    /// <summary>The name the file list shows, when it should differ from where it is served (path-traversal tests).</summary>
    public string ListedPath { get; set; } = path;

    public bool ServeWrongBytes { get; set; }
    public bool IgnoreRange { get; set; }
    /// <summary>The next <see cref="CutsLeft"/> transfers close the connection after <see cref="CutAfter"/> bytes.</summary>
    public int CutsLeft;
    public long CutAfter { get; set; }
    /// <summary>Send this many bytes, then hang until the client goes away.</summary>
    public long? StallAfter { get; set; }
}
