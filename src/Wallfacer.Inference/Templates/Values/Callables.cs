namespace Wallfacer.Inference.Templates;

/// <summary>Anything a template can call: macros, globals such as <c>range</c>, bound methods.</summary>
internal interface ICallable
{
    string Name { get; }

    object? Call(Interpreter interpreter, Arguments arguments);
}

/// <summary>A global function implemented in C#.</summary>
internal sealed class BuiltinFunction(string name, Func<Interpreter, Arguments, object?> body) : ICallable
{
    public string Name { get; } = name;

    public object? Call(Interpreter interpreter, Arguments arguments) => body(interpreter, arguments);
}

/// <summary><c>"text".strip</c>, <c>dict.items</c> ...: a Python method bound to its receiver.</summary>
internal sealed class BoundMethod(object receiver, string name, Func<object, string, Arguments, object?> body) : ICallable
{
    public object Receiver { get; } = receiver;

    public string Name { get; } = name;

    public object? Call(Interpreter interpreter, Arguments arguments) => body(Receiver, Name, arguments);
}

/// <summary>A <c>{% macro %}</c> or the <c>caller</c> of a call block, closed over the scope it was defined in.</summary>
internal sealed class Macro(MacroSignature signature, Scope closure, Macro? caller = null) : ICallable
{
    public MacroSignature Signature { get; } = signature;

    public Scope Closure { get; } = closure;

    /// <summary>For a macro invoked by <c>{% call %}</c>: the block body, visible as <c>caller</c>.</summary>
    public Macro? Caller { get; } = caller;

    public string Name => Signature.Name;

    public object? Call(Interpreter interpreter, Arguments arguments) => interpreter.CallMacro(this, arguments);

    public Macro WithCaller(Macro caller) => new(Signature, Closure, caller);
}
