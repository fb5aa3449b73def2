using System.Reflection;

namespace Wallfacer.Cli.Tests;

/// <summary>
/// The layering of design.md, checked on the built assemblies: data flows one way and nothing below looks
/// up. Numerics ← Gguf ← Tokenizers; Numerics, Gguf ← Models; Models, Tokenizers ← Inference ← Extensions.AI ← Server ← Cli; Extensions.AI.Mcp (no engine) ← Cli; Hub, which
/// stands alone, ← Cli. And the libraries ship no native code: no DllImport anywhere in src/.
/// </summary>
public class DependencyRuleTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Wallfacer.Numerics"] = [],
        ["Wallfacer.Gguf"] = ["Wallfacer.Numerics"],
        ["Wallfacer.Tokenizers"] = ["Wallfacer.Gguf", "Wallfacer.Numerics"],
        ["Wallfacer.Models"] = ["Wallfacer.Gguf", "Wallfacer.Numerics"],
        ["Wallfacer.Inference"] = ["Wallfacer.Models", "Wallfacer.Tokenizers", "Wallfacer.Gguf", "Wallfacer.Numerics"],
        ["Wallfacer.Extensions.AI"] = ["Wallfacer.Inference", "Wallfacer.Models", "Wallfacer.Tokenizers", "Wallfacer.Gguf", "Wallfacer.Numerics"],
        ["Wallfacer.Extensions.AI.Mcp"] = [], // MCP tools are plain AIFunctions: no engine needed
        ["Wallfacer.Hub"] = [],
        ["Wallfacer.Server"] = ["Wallfacer.Extensions.AI", "Wallfacer.Inference", "Wallfacer.Models", "Wallfacer.Tokenizers", "Wallfacer.Gguf", "Wallfacer.Numerics"],
        ["wallfacer"] = ["Wallfacer.Extensions.AI", "Wallfacer.Extensions.AI.Mcp", "Wallfacer.Inference", "Wallfacer.Models", "Wallfacer.Tokenizers", "Wallfacer.Gguf", "Wallfacer.Numerics", "Wallfacer.Hub", "Wallfacer.Server"],
    };

    public static TheoryData<string> Assemblies => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Each_library_references_only_the_layers_below_it(string name)
    {
        var assembly = Assembly.Load(name);
        var references = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Wallfacer", StringComparison.Ordinal) || n == "wallfacer");
        foreach (var reference in references)
            Assert.True(Allowed[name].Contains(reference), $"{name} must not reference {reference}.");
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_library_calls_native_code(string name)
    {
        var assembly = Assembly.Load(name);
        var pinvokes = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0)
            .Select(m => m.DeclaringType + "." + m.Name)
            .ToList();
        Assert.True(pinvokes.Count == 0, $"{name} declares P/Invoke methods: {string.Join(", ", pinvokes)}");
    }
}
