namespace Wallfacer.Inference.Templates;

/// <summary>An expression node; <see cref="Line"/> is where it starts, for error messages.</summary>
internal abstract class Expr(int line)
{
    public int Line { get; } = line;
}

internal sealed class ConstExpr(int line, object? value) : Expr(line)
{
    public object? Value { get; } = value;
}

internal sealed class NameExpr(int line, string name) : Expr(line)
{
    public string Name { get; } = name;
}

/// <summary>A list <c>[a, b]</c> or tuple <c>(a, b)</c> literal; also a tuple assignment target.</summary>
internal sealed class ListExpr(int line, Expr[] items, bool isTuple) : Expr(line)
{
    public Expr[] Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
}

internal sealed class DictExpr(int line, (Expr Key, Expr Value)[] pairs) : Expr(line)
{
    public (Expr Key, Expr Value)[] Pairs { get; } = pairs;
}

/// <summary><c>obj.name</c>: attribute first, then item (jinja's <c>environment.getattr</c>).</summary>
internal sealed class GetAttrExpr(int line, Expr target, string name) : Expr(line)
{
    public Expr Target { get; } = target;
    public string Name { get; } = name;
}

/// <summary><c>obj[index]</c>: item first, then attribute (jinja's <c>environment.getitem</c>).</summary>
internal sealed class GetItemExpr(int line, Expr target, Expr index) : Expr(line)
{
    public Expr Target { get; } = target;
    public Expr Index { get; } = index;
}

internal sealed class SliceExpr(int line, Expr? start, Expr? stop, Expr? step) : Expr(line)
{
    public Expr? Start { get; } = start;
    public Expr? Stop { get; } = stop;
    public Expr? Step { get; } = step;
}

/// <summary>Arguments of a call, filter or test: positional, keyword, <c>*args</c> and <c>**kwargs</c>.</summary>
internal sealed class ArgumentList(Expr[] positional, (string Name, Expr Value)[] named, Expr? starArgs, Expr? starKwargs)
{
    public static readonly ArgumentList Empty = new([], [], null, null);

    public Expr[] Positional { get; } = positional;
    public (string Name, Expr Value)[] Named { get; } = named;
    public Expr? StarArgs { get; } = starArgs;
    public Expr? StarKwargs { get; } = starKwargs;
}

internal sealed class CallExpr(int line, Expr callee, ArgumentList arguments) : Expr(line)
{
    public Expr Callee { get; } = callee;
    public ArgumentList Arguments { get; } = arguments;
}

/// <summary><c>value | name(args)</c>; <see cref="Value"/> is null inside a <c>{% filter %}</c> block head.</summary>
internal sealed class FilterExpr(int line, Expr? value, string name, ArgumentList arguments) : Expr(line)
{
    public Expr? Value { get; } = value;
    public string Name { get; } = name;
    public ArgumentList Arguments { get; } = arguments;
}

/// <summary><c>value is name(args)</c>; <c>is not</c> parses as <see cref="NotExpr"/> around it.</summary>
internal sealed class TestExpr(int line, Expr value, string name, ArgumentList arguments) : Expr(line)
{
    public Expr Value { get; } = value;
    public string Name { get; } = name;
    public ArgumentList Arguments { get; } = arguments;
}

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
    Concat,
}

internal sealed class BinaryExpr(int line, BinaryOp op, Expr left, Expr right) : Expr(line)
{
    public BinaryOp Op { get; } = op;
    public Expr Left { get; } = left;
    public Expr Right { get; } = right;
}

/// <summary><c>a and b</c> / <c>a or b</c>: short-circuit, yielding an operand as Python does.</summary>
internal sealed class LogicalExpr(int line, bool isAnd, Expr left, Expr right) : Expr(line)
{
    public bool IsAnd { get; } = isAnd;
    public Expr Left { get; } = left;
    public Expr Right { get; } = right;
}

internal sealed class NotExpr(int line, Expr operand) : Expr(line)
{
    public Expr Operand { get; } = operand;
}

internal sealed class NegateExpr(int line, Expr operand, bool isMinus) : Expr(line)
{
    public Expr Operand { get; } = operand;
    public bool IsMinus { get; } = isMinus;
}

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>; operators are <c>eq ne lt le gt ge in notin</c>.</summary>
internal sealed class CompareExpr(int line, Expr first, (string Op, Expr Operand)[] rest) : Expr(line)
{
    public Expr First { get; } = first;
    public (string Op, Expr Operand)[] Rest { get; } = rest;
}

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test yields undefined.</summary>
internal sealed class ConditionalExpr(int line, Expr test, Expr then, Expr? otherwise) : Expr(line)
{
    public Expr Test { get; } = test;
    public Expr Then { get; } = then;
    public Expr? Otherwise { get; } = otherwise;
}
