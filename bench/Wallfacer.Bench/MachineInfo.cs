using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Bench;

/// <summary>What the benchmark records about the machine: CPU model and the ISA flags that matter to the kernels.</summary>
internal sealed record MachineInfo(string CpuModel, int ProcessorCount, string[] Flags, string[] MissingFlags, string DotNetIsa,
    string TransparentHugePages, string Runtime)
{
    /// <summary>How much of the 1 GiB bandwidth buffer the kernel backed with huge pages (null: unknown).</summary>
    public long? BandwidthHugePageBytes { get; init; }

    /// <summary>The /proc/cpuinfo flags our kernels or llama.cpp's variants care about.</summary>
    private static readonly string[] RelevantFlags =
    [
        "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16",
        "avx512_fp16", "avx512vbmi", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",
    ];

    public static MachineInfo Collect()
    {
        string model = "unknown", family = "?", modelNumber = "?", stepping = "?";
        var flags = new HashSet<string>();
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                string value = line.Contains(':') ? line[(line.IndexOf(':') + 1)..].Trim() : "";
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    model = value;
                else if (line.StartsWith("cpu family", StringComparison.Ordinal))
                    family = value;
                else if (line.StartsWith("model\t", StringComparison.Ordinal))
                    modelNumber = value; // with "family" it tells e.g. Zen 4 (25) apart when the name is generic
                else if (line.StartsWith("stepping", StringComparison.Ordinal))
                    stepping = value;
                else if (line.StartsWith("flags", StringComparison.Ordinal) && flags.Count == 0)
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }
        string thp = File.Exists("/sys/kernel/mm/transparent_hugepage/enabled")
            ? File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Trim()
            : "n/a";
        return new MachineInfo($"{model} (family {family}, model {modelNumber}, stepping {stepping})", Environment.ProcessorCount,
            [.. RelevantFlags.Where(flags.Contains)], [.. RelevantFlags.Where(f => !flags.Contains(f))],
            DescribeDotNetIsa(), thp, $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
    }

    /// <summary>The ISA classes .NET enables here, which decide which of our kernels run.</summary>
    private static string DescribeDotNetIsa()
    {
        var on = new List<string>();
        if (Avx2.IsSupported) on.Add("Avx2");
        if (Fma.IsSupported) on.Add("Fma");
        if (Avx512F.IsSupported) on.Add("Avx512F");
        if (Avx512BW.IsSupported) on.Add("Avx512BW");
        if (Avx512Vbmi.IsSupported) on.Add("Avx512Vbmi");
        if (AvxVnni.IsSupported) on.Add("AvxVnni");
        if (Avx10v1.IsSupported) on.Add("Avx10v1");
        on.Add($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}");
        return string.Join(", ", on);
    }
}
