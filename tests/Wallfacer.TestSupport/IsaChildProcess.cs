using System.Diagnostics;
using System.Reflection;
using Xunit;
using Xunit.Sdk;

namespace Wallfacer.TestSupport;

/// <summary>
/// Re-runs a test assembly's tests of vectorised code in a child runtime with hardware features switched off
/// (ImageSharp's FeatureTestRunner idea): the parent test starts <c>dotnet exec TESTS.dll --isa-tier NAME</c> with
/// the tier's environment (<see cref="RunChild"/>); the assembly's entry point calls <see cref="Main"/>, which first
/// checks that the tier's features really are off, then runs every fact and theory row of the given classes by
/// reflection (xunit's asserts throw, so no runner is needed) and exits non-zero on any failure. One machine proves
/// every tier.
/// </summary>
public static class IsaChildProcess
{
    public const string TierArgument = "--isa-tier";
    public const int FeatureStillOn = 3, TestsFailed = 1, BadArguments = 2;
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The child's entry point: checks the tier, runs <paramref name="testClasses"/>, returns the exit code.</summary>
    public static int Main(string[] args, string assemblyName, IEnumerable<Type> testClasses)
    {
        if (args.Length != 2 || args[0] != TierArgument)
        {
            Console.Error.WriteLine($"usage: dotnet exec {assemblyName}.dll {TierArgument} <tier>");
            return BadArguments;
        }
        IsaTier tier = IsaTier.Find(args[1]);
        Console.WriteLine($"tier {tier.Name}: {IsaTier.Describe()}");
        if (tier.FindEnabledFeature() is { } stillOn)
        {
            Console.Error.WriteLine($"tier {tier.Name}: {stillOn} is still enabled; the environment variables had no effect.");
            return FeatureStillOn;
        }
        (int passed, int failed) = RunAll(testClasses);
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : TestsFailed;
    }

    /// <summary>Starts <paramref name="testAssembly"/> as a child on <paramref name="tierName"/> with <paramref name="environment"/>.</summary>
    public static (int ExitCode, string Output) RunChild(Assembly testAssembly, string tierName, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", testAssembly.Location, TierArgument, tierName })
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

    private static (int Passed, int Failed) RunAll(IEnumerable<Type> classes)
    {
        int passed = 0, failed = 0;
        foreach (Type type in classes)
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                foreach (object?[] row in Rows(method))
                {
                    string name = $"{type.Name}.{method.Name}({string.Join(", ", row)})";
                    try
                    {
                        method.Invoke(Activator.CreateInstance(type), row);
                        passed++;
                    }
                    catch (TargetInvocationException e)
                    {
                        failed++;
                        Console.Error.WriteLine($"FAIL {name}: {e.InnerException?.Message}");
                    }
                }
            }
        }
        return (passed, failed);
    }

    /// <summary>One empty row for a fact, the data rows for a theory, none for anything skipped or not a test.</summary>
    private static IEnumerable<object?[]> Rows(MethodInfo method)
    {
        var fact = method.GetCustomAttribute<FactAttribute>();
        if (fact is null || fact.Skip is not null)
            return [];
        if (fact is not TheoryAttribute)
            return [[]];
        return method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method));
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
