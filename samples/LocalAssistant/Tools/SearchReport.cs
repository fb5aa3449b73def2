using System.Text;

namespace LocalAssistant.Tools;

/// <summary>What one <see cref="FileSearch"/> has found and spent so far, and the text the model receives.</summary>
internal sealed class SearchReport(string root, FileSearchLimits limits)
{
    private readonly List<string> _matches = [];
    private int _filesOpened;
    private long _bytesRead;
    private int _filesCutShort;
    private string? _stoppedBecause;

    public bool Full => _matches.Count >= limits.MaxMatches;

    public bool MayOpenAnotherFile()
    {
        if (_filesOpened >= limits.MaxFiles)
            _stoppedBecause = $"the limit of {limits.MaxFiles} files was reached";
        else if (_bytesRead >= limits.MaxTotalBytes)
            _stoppedBecause = $"the limit of {limits.MaxTotalBytes} bytes read was reached";
        return _stoppedBecause is null;
    }

    public int BytesAllowedForNextFile() => (int)Math.Min(limits.MaxBytesPerFile, limits.MaxTotalBytes - _bytesRead);

    public void Read(int bytes, bool truncated)
    {
        _filesOpened++;
        _bytesRead += bytes;
        if (truncated)
            _filesCutShort++;
    }

    public void Match(string path, int line, string text)
    {
        _matches.Add($"{path}:{line}: {text}");
        if (Full)
            _stoppedBecause = $"the first {limits.MaxMatches} matches are shown";
    }

    public int FilesOpened => _filesOpened;

    public string ToString(string text, string folder)
    {
        var output = new StringBuilder();
        output.Append(_matches.Count == 0
            ? $"No line contains \"{text}\" in {_filesOpened} files under {folder} (root {root})."
            : $"{_matches.Count} {(_matches.Count == 1 ? "line contains" : "lines contain")} \"{text}\" under {folder}:\n{string.Join('\n', _matches)}");
        if (_stoppedBecause is not null)
            output.Append($"\nThe search stopped early: {_stoppedBecause}; search a narrower folder for more.");
        if (_filesCutShort > 0)
            output.Append($"\n{_filesCutShort} large files were searched only in their first {limits.MaxBytesPerFile} bytes.");
        return output.ToString();
    }
}
