namespace Wallfacer.Bench;

/// <summary>Peak resident set size of this process, from Linux's <c>/proc/self/status</c>.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// <c>VmHWM</c> (the high-water mark of resident memory) in bytes, or null where /proc is absent (not Linux).
    /// It counts file pages of a memory-mapped model that were touched, as the kernel charges them to us.
    /// </summary>
    public static long? PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
            return null;
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                continue;
            // "VmHWM:     123456 kB"
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 2 && long.TryParse(parts[1], out long kib) ? kib * 1024 : null;
        }
        return null;
    }
}
