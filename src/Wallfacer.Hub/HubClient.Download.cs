using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Wallfacer.Hub;

/// <summary>
/// One blob's transfer into <c>blobs/{etag}.incomplete</c>: the bytes already there are hashed first, the rest is
/// asked for with <c>Range: bytes=N-</c> and hashed as it arrives, and the file becomes <c>blobs/{etag}</c> only when
/// its size and SHA-256 are the ones the hub listed. Whatever happens, the partial file is left for the next run.
/// </summary>
public sealed partial class HubClient
{
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private async Task DownloadBlobAsync(ModelReference repo, string commit, RepoFile file, string blobPath,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        string partialPath = HubCache.IncompletePath(blobPath);
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        using (var partial = OpenPartial(partialPath, file))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            long have = await PrepareResumeAsync(partial, hash, file, ct).ConfigureAwait(false);
            if (have < file.Size)
                await TransferAsync(repo, commit, file, partial, hash, have, progress, ct).ConfigureAwait(false);
            Verify(file, partial.Length, hash.GetHashAndReset(), partialPath);
        }
        File.Move(partialPath, blobPath, overwrite: true);
        _logger.LogInformation("Downloaded {File} ({Bytes} bytes) into {Blob}.", file.Path, file.Size, blobPath);
    }

    /// <summary>
    /// Opened exclusively: a second <c>wallfacer pull</c> of the same file fails here instead of interleaving its
    /// bytes with ours.
    /// </summary>
    private static FileStream OpenPartial(string path, RepoFile file)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex)
        {
            throw new HubException(HubErrorKind.InvalidInput, $"cannot open {path} for {file.Path}: {ex.Message} Is another pull of it running?", ex);
        }
    }

    /// <summary>
    /// Hashes the bytes a previous run left and returns how many to keep. A partial file longer than the blob, or
    /// full-length but with the wrong hash (a corrupt earlier transfer), is started over.
    /// </summary>
    private async Task<long> PrepareResumeAsync(FileStream partial, IncrementalHash hash, RepoFile file, CancellationToken ct)
    {
        long have = partial.Length;
        if (have > file.Size)
            return Restart(partial, hash, file, $"the partial file is longer ({have} bytes) than the file ({file.Size})");
        if (have == 0)
            return 0;
        var buffer = new byte[BufferSize];
        int read;
        partial.Position = 0;
        while ((read = await partial.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            hash.AppendData(buffer, 0, read);
        if (have == file.Size && file.Sha256 != null && Convert.ToHexStringLower(hash.GetCurrentHash()) != file.Sha256)
            return Restart(partial, hash, file, "the partial file is complete but its SHA-256 is wrong");
        _logger.LogInformation("Resuming {File} from byte {Offset} of {Size}.", file.Path, have, file.Size);
        return have;
    }

    private long Restart(FileStream partial, IncrementalHash hash, RepoFile file, string reason)
    {
        _logger.LogWarning("{File}: {Reason}; downloading it again from the start.", file.Path, reason);
        partial.SetLength(0);
        hash.GetHashAndReset();
        return 0;
    }

    /// <summary>Requests the bytes from <paramref name="have"/> on and appends them to <paramref name="partial"/>.</summary>
    private async Task TransferAsync(ModelReference repo, string commit, RepoFile file, FileStream partial, IncrementalHash hash,
        long have, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var url = ResolveUrl(repo, commit, file.Path);
        string what = $"{repo.RepoId}/{file.Path}";
        var reply = await SendAsync(url, have, what, ct).ConfigureAwait(false);
        try
        {
            if (reply.Response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // The server's file is no longer than our partial one, yet the hub listed it longer: start over once.
                reply.Dispose();
                have = Restart(partial, hash, file, "the server refused the resume range (416)");
                reply = await SendAsync(url, null, what, ct).ConfigureAwait(false);
            }
            ThrowIfFailed(reply.Response, what, repo.RepoId);
            CheckMetadata(reply, file, commit, what);
            have = AlignToReply(reply.Response, partial, hash, file, have, what);
            await using var body = await reply.Response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await CopyAsync(body, partial, hash, file, have, progress, what, ct).ConfigureAwait(false);
        }
        finally
        {
            reply.Dispose();
        }
    }

    /// <summary>
    /// 206 must start where we asked; a 200 to a range request means the server ignored it, so the whole file
    /// follows and the partial one is dropped. Returns the offset the body starts at.
    /// </summary>
    private long AlignToReply(HttpResponseMessage response, FileStream partial, IncrementalHash hash, RepoFile file, long have, string what)
    {
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            long? start = response.Content.Headers.ContentRange?.From;
            if (start != have)
                throw new HubException(HubErrorKind.InvalidResponse, $"asked for {what} from byte {have}, the server sent a range from {start?.ToString() ?? "nowhere"}.");
            return have;
        }
        if (have > 0)
            return Restart(partial, hash, file, "the server ignored the Range request");
        return 0;
    }

    /// <summary>The hub's ETag for the file must be the blob the listing named, or we would hash against the wrong sum.</summary>
    private void CheckMetadata(HubReply reply, RepoFile file, string commit, string what)
    {
        if (reply.Etag != null && file.Etag != null && reply.Etag != file.Etag)
            throw new HubException(HubErrorKind.InvalidResponse, $"the hub serves {what} as blob {reply.Etag} but listed it as {file.Etag}; try again later.");
        if (reply.Commit != null && reply.Commit != commit)
            _logger.LogWarning("{What}: the hub answered from commit {Served}, expected {Commit}.", what, reply.Commit, commit);
    }

    private async Task CopyAsync(Stream body, FileStream partial, IncrementalHash hash, RepoFile file, long done,
        IProgress<DownloadProgress>? progress, string what, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        long start = done;
        var clock = Stopwatch.StartNew();
        var lastReport = -ProgressInterval; // the first chunk is reported at once
        partial.Position = done;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            int read = await ReadChunkAsync(body, buffer, stall, done, file, what, ct).ConfigureAwait(false);
            if (read == 0)
                break;
            if (done + read > file.Size)
                throw new HubException(HubErrorKind.InvalidResponse, $"the server sent more than the {file.Size} bytes listed for {what}.");
            await partial.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            hash.AppendData(buffer, 0, read);
            done += read;
            if (clock.Elapsed - lastReport >= ProgressInterval || done == file.Size)
            {
                lastReport = clock.Elapsed;
                progress?.Report(new DownloadProgress(file.Path, done, file.Size, (done - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
            }
        }
        if (done < file.Size)
            throw Interrupted(what, done, file.Size, "the connection closed early", null);
    }

    /// <summary>One read, with network failures and stalls turned into messages that say the download can be resumed.</summary>
    private async Task<int> ReadChunkAsync(Stream body, byte[] buffer, CancellationTokenSource stall, long done, RepoFile file,
        string what, CancellationToken ct)
    {
        stall.CancelAfter(_options.ReadTimeout);
        try
        {
            return await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw Interrupted(what, done, file.Size, $"no data for {_options.ReadTimeout.TotalSeconds:0} s", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw Interrupted(what, done, file.Size, ex.Message, ex);
        }
    }

    private static HubException Interrupted(string what, long done, long total, string reason, Exception? inner) =>
        new(HubErrorKind.Network, $"download of {what} stopped at {done:N0} of {total:N0} bytes ({reason}); the partial file is kept: run the same command again to resume.", inner);

    /// <summary>Size, then SHA-256 where the hub lists one (every LFS file; a small git-stored file has only its size).</summary>
    private void Verify(RepoFile file, long length, byte[] sha256, string partialPath)
    {
        if (length != file.Size)
            throw new HubException(HubErrorKind.ChecksumMismatch, $"{file.Path} has {length} bytes, the hub listed {file.Size}; kept as {partialPath}.");
        if (file.Sha256 == null)
        {
            _logger.LogDebug("{File} is not an LFS file: the hub lists no SHA-256, only its size was checked.", file.Path);
            return;
        }
        string actual = Convert.ToHexStringLower(sha256);
        if (actual != file.Sha256)
            throw new HubException(HubErrorKind.ChecksumMismatch,
                $"checksum mismatch for {file.Path}: SHA-256 {actual}, the hub listed {file.Sha256}. The file was not placed in the cache; "
                + $"the download is kept as {partialPath}, and the next pull downloads it again.");
    }
}
