using System.Diagnostics;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Re-runs the kernel tests in a child runtime per hardware tier (<see cref="IsaTier"/>), so the AVX2,
/// 128-bit and scalar paths are proven on a machine whose best path is AVX-512.
/// </summary>
public sealed class IsaTierTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(120);

    public static TheoryData<string> TierNames => new(IsaTier.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(TierNames))]
    public void Kernel_tests_pass_with_features_switched_off(string tierName)
    {
        (int exitCode, string output) = RunChild(tierName, IsaTier.Find(tierName).Environment);
        Assert.True(exitCode == 0, $"tier {tierName} failed (exit {exitCode}):\n{output}");
        Assert.Contains(" passed, 0 failed", output);
    }

    [Fact]
    public void A_misspelt_feature_switch_is_caught()
    {
        // The pre-.NET 10 name alone leaves AVX-512 on: the child must refuse to report a pass.
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            return; // nothing to switch off on this machine
        (int exitCode, string output) = RunChild("avx2-vnni", new Dictionary<string, string> { ["DOTNET_EnableAVX512F"] = "0" });
        Assert.True(exitCode == IsaChildRunner.FeatureStillOn, $"exit {exitCode}:\n{output}");
    }

    private static (int ExitCode, string Output) RunChild(string tierName, IReadOnlyDictionary<string, string> environment)
    {
        string assembly = typeof(IsaChildRunner).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", assembly, IsaChildRunner.TierArgument, tierName })
            start.ArgumentList.Add(arg);
        foreach ((string key, string value) in environment)
            start.Environment[key] = value;
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child runtime.");
        Task<string> stdout = child.StandardOutput.ReadToEndAsync(), stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(ChildTimeout))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"tier {tierName} did not finish within {ChildTimeout.TotalSeconds} s.");
        }
        return (child.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The dotnet host running these tests (the CLI sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return "dotnet";
    }
}
