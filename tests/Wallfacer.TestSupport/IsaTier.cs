using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.TestSupport;

/// <summary>
/// One hardware tier the vectorised code's tests are re-run on (<see cref="IsaChildProcess"/>): the environment variables that switch features off in
/// a child runtime, and a check (run inside that child) that they really are off. The check matters:
/// .NET 10 ignores <c>DOTNET_EnableAVX512F</c> (the knob is now <c>DOTNET_EnableAVX512</c>), so without it a
/// misspelt variable would silently re-test the full-width paths.
/// </summary>
public sealed record IsaTier(string Name, IReadOnlyDictionary<string, string> Environment, Func<string?> FindEnabledFeature)
{
    /// <summary>The tiers below the machine's best: AVX2 + AVX-VNNI, plain AVX2, 128-bit only, scalar.</summary>
    public static readonly IsaTier[] All =
    [
        new("avx2-vnni", Vars(("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX512F", "0")),
            () => FirstOn(("Vector512", Vector512.IsHardwareAccelerated), ("Avx512F", Avx512F.IsSupported), ("Avx512BW", Avx512BW.IsSupported))),
        new("avx2", Vars(("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX512F", "0"), ("DOTNET_EnableAVXVNNI", "0")),
            () => FirstOn(("Vector512", Vector512.IsHardwareAccelerated), ("Avx512BW", Avx512BW.IsSupported), ("AvxVnni", AvxVnni.IsSupported))),
        new("vector128", Vars(("DOTNET_EnableAVX2", "0")),
            () => FirstOn(("Vector256", Vector256.IsHardwareAccelerated), ("Avx2", Avx2.IsSupported), ("AvxVnni", AvxVnni.IsSupported), ("Avx512BW", Avx512BW.IsSupported))),
        new("scalar", Vars(("DOTNET_EnableHWIntrinsic", "0")),
            () => FirstOn(("Vector128", Vector128.IsHardwareAccelerated), ("Sse2", Sse2.IsSupported), ("Ssse3", Ssse3.IsSupported), ("AdvSimd", AdvSimd.IsSupported))),
    ];

    /// <summary>
    /// AVX-512 without GFNI: only the integer kernels have a GFNI path (the nibble split, with a shift-and-mask
    /// fallback), so only their tests re-run on this tier.
    /// </summary>
    public static readonly IsaTier NoGfni = new("avx512-no-gfni", Vars(("DOTNET_EnableGFNI", "0")), () => FirstOn(("Gfni", Gfni.IsSupported)));

    /// <summary>The integer kernels' tiers: <see cref="All"/> and <see cref="NoGfni"/>.</summary>
    public static readonly IsaTier[] WithNoGfni = [.. All, NoGfni];

    public static IsaTier Find(string name) =>
        Array.Find(WithNoGfni, t => t.Name == name) ?? throw new ArgumentException($"Unknown ISA tier '{name}'; known: {string.Join(", ", WithNoGfni.Select(t => t.Name))}.");

    /// <summary>The feature flags as this process sees them, for messages.</summary>
    public static string Describe() =>
        $"V128={Vector128.IsHardwareAccelerated} V256={Vector256.IsHardwareAccelerated} V512={Vector512.IsHardwareAccelerated} " +
        $"Avx2={Avx2.IsSupported} AvxVnni={AvxVnni.IsSupported} Avx512BW={Avx512BW.IsSupported} Gfni={Gfni.IsSupported} " +
        $"AdvSimd={AdvSimd.IsSupported} Dp={Dp.IsSupported}";

    public override string ToString() => Name;

    private static Dictionary<string, string> Vars(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static string? FirstOn(params (string Name, bool On)[] flags) => flags.FirstOrDefault(f => f.On).Name;
}
