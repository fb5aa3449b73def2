namespace Wallfacer.Hub;

/// <summary>
/// How far one file's download has got. <see cref="BytesDone"/> counts bytes already on disk from an earlier
/// run too, so a resumed download starts part-way; <see cref="BytesPerSecond"/> counts only this run's bytes.
/// </summary>
/// <param name="FileName">The file's path in the repository.</param>
/// <param name="BytesDone">Bytes of the file on disk so far.</param>
/// <param name="TotalBytes">The file's size as the hub announced it.</param>
/// <param name="BytesPerSecond">Average transfer speed of this run.</param>
public readonly record struct DownloadProgress(string FileName, long BytesDone, long TotalBytes, double BytesPerSecond)
{
    public bool IsComplete => BytesDone >= TotalBytes;
}
