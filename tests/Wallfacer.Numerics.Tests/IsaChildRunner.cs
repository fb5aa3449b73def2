using System.Reflection;
using Xunit.Sdk;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The test assembly's entry point, used only by <see cref="IsaTierTests"/>: <c>dotnet exec
/// Wallfacer.Numerics.Tests.dll --isa-tier NAME</c> first checks that the tier's features really are off in
/// this process, then runs every fact and theory row of the kernel test classes by reflection (xunit's
/// asserts throw, so no runner is needed) and exits non-zero on any failure. This mirrors ImageSharp's
/// FeatureTestRunner: one machine proves every tier.
/// </summary>
internal static class IsaChildRunner
{
    public const string TierArgument = "--isa-tier";
    public const int FeatureStillOn = 3, TestsFailed = 1, BadArguments = 2;

    /// <summary>The classes whose tests exercise the dispatching kernels.</summary>
    internal static readonly Type[] KernelTestClasses =
    [
        typeof(VecDotTests), typeof(VecDotInt8Tests), typeof(VecDotPathTests), typeof(DequantizeTests), typeof(HalfConvertTests),
        typeof(MatMulTests), typeof(MatMulFewTokensTests), typeof(HalfAccumulatorTests),
    ];

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != TierArgument)
        {
            Console.Error.WriteLine($"usage: dotnet exec Wallfacer.Numerics.Tests.dll {TierArgument} <tier>");
            return BadArguments;
        }
        IsaTier tier = IsaTier.Find(args[1]);
        Console.WriteLine($"tier {tier.Name}: {IsaTier.Describe()}");
        if (tier.FindEnabledFeature() is { } stillOn)
        {
            Console.Error.WriteLine($"tier {tier.Name}: {stillOn} is still enabled; the environment variables had no effect.");
            return FeatureStillOn;
        }
        (int passed, int failed) = RunAll(KernelTestClasses);
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : TestsFailed;
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
}
