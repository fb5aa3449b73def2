namespace Wallfacer.Inference.Templates;

/// <summary>A statement node; <see cref="Line"/> is where its tag starts.</summary>
internal abstract class Stmt(int line)
{
    public int Line { get; } = line;
}

/// <summary>Literal template text.</summary>
internal sealed class TextStmt(int line, string text) : Stmt(line)
{
    public string Text { get; } = text;
}

/// <summary><c>{{ expr }}</c>.</summary>
internal sealed class PrintStmt(int line, Expr value) : Stmt(line)
{
    public Expr Value { get; } = value;
}

internal sealed class IfStmt(int line, (Expr Test, Stmt[] Body)[] branches, Stmt[] otherwise) : Stmt(line)
{
    public (Expr Test, Stmt[] Body)[] Branches { get; } = branches;
    public Stmt[] Otherwise { get; } = otherwise;
}

internal sealed class ForStmt(int line, Expr target, Expr iterable, Expr? filter, Stmt[] body, Stmt[] otherwise, bool recursive) : Stmt(line)
{
    public Expr Target { get; } = target;
    public Expr Iterable { get; } = iterable;
    public Expr? Filter { get; } = filter;
    public Stmt[] Body { get; } = body;
    public Stmt[] Otherwise { get; } = otherwise;
    public bool Recursive { get; } = recursive;
}

/// <summary><c>{% set target = value %}</c>; target is a name, a tuple of names or <c>ns.attr</c>.</summary>
internal sealed class SetStmt(int line, Expr target, Expr value) : Stmt(line)
{
    public Expr Target { get; } = target;
    public Expr Value { get; } = value;
}

/// <summary><c>{% set target | filters %}body{% endset %}</c>.</summary>
internal sealed class SetBlockStmt(int line, Expr target, FilterExpr? filter, Stmt[] body) : Stmt(line)
{
    public Expr Target { get; } = target;
    public FilterExpr? Filter { get; } = filter;
    public Stmt[] Body { get; } = body;
}

/// <summary>Parameters of a macro or call block; <see cref="Defaults"/> has one entry per parameter, null where it has none.</summary>
internal sealed class MacroSignature(string name, string[] parameters, Expr?[] defaults, Stmt[] body)
{
    public string Name { get; } = name;
    public string[] Parameters { get; } = parameters;
    public Expr?[] Defaults { get; } = defaults;
    public Stmt[] Body { get; } = body;
}

internal sealed class MacroStmt(int line, MacroSignature signature) : Stmt(line)
{
    public MacroSignature Signature { get; } = signature;
}

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: body becomes <c>caller</c>.</summary>
internal sealed class CallBlockStmt(int line, CallExpr call, MacroSignature caller) : Stmt(line)
{
    public CallExpr Call { get; } = call;
    public MacroSignature Caller { get; } = caller;
}

/// <summary><c>{% filter f %}body{% endfilter %}</c>.</summary>
internal sealed class FilterBlockStmt(int line, FilterExpr filter, Stmt[] body) : Stmt(line)
{
    public FilterExpr Filter { get; } = filter;
    public Stmt[] Body { get; } = body;
}

/// <summary><c>{% with a = 1 %}body{% endwith %}</c>: assignments visible in the body only.</summary>
internal sealed class WithStmt(int line, (Expr Target, Expr Value)[] assignments, Stmt[] body) : Stmt(line)
{
    public (Expr Target, Expr Value)[] Assignments { get; } = assignments;
    public Stmt[] Body { get; } = body;
}

/// <summary>A body rendered in place: <c>{% generation %}</c> (transformers' AssistantTracker).</summary>
internal sealed class BlockStmt(int line, Stmt[] body) : Stmt(line)
{
    public Stmt[] Body { get; } = body;
}

internal sealed class BreakStmt(int line) : Stmt(line);

internal sealed class ContinueStmt(int line) : Stmt(line);
