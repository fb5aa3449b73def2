using System.Runtime.CompilerServices;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// Walks the statement tree, writing to an <see cref="OutputBuffer"/>. One instance per render: it
/// carries the limits (loop iterations, call depth, output size) and the cancellation token.
/// </summary>
internal sealed partial class Interpreter(JinjaOptions options, CancellationToken cancellation)
{
    private long _iterations;
    private int _callDepth;

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public JinjaOptions Options { get; } = options;

    public string Render(Stmt[] body, Scope root)
    {
        var output = new OutputBuffer(Options.MaxOutputChars);
        Execute(body, root, output);
        return output.ToString();
    }

    private Flow Execute(Stmt[] body, Scope scope, OutputBuffer output)
    {
        foreach (var stmt in body)
        {
            Flow flow;
            try
            {
                flow = ExecuteOne(stmt, scope, output);
            }
            catch (TemplateRenderException e) when (e.Line == 0)
            {
                e.Line = stmt.Line; // the innermost statement names the line
                throw;
            }
            if (flow != Flow.Normal)
                return flow;
        }
        return Flow.Normal;
    }

    private Flow ExecuteOne(Stmt stmt, Scope scope, OutputBuffer output)
    {
        switch (stmt)
        {
            case TextStmt text:
                output.Append(text.Text);
                return Flow.Normal;
            case PrintStmt print:
                output.Append(PythonFormatting.Str(Eval(print.Value, scope)));
                return Flow.Normal;
            case IfStmt ifStmt:
                foreach (var (test, body) in ifStmt.Branches)
                {
                    if (PyOps.Truthy(Eval(test, scope)))
                        return Execute(body, scope, output);
                }
                return Execute(ifStmt.Otherwise, scope, output);
            case ForStmt forStmt:
                RunLoop(forStmt, Eval(forStmt.Iterable, scope), scope, output, depth: 1);
                return Flow.Normal;
            case SetStmt set:
                Assign(set.Target, Eval(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStmt setBlock:
                string captured = Capture(setBlock.Body, scope);
                Assign(setBlock.Target, setBlock.Filter == null ? captured : EvalFilter(setBlock.Filter, scope, captured), scope);
                return Flow.Normal;
            case MacroStmt macro:
                scope.Set(macro.Signature.Name, new Macro(macro.Signature, scope));
                return Flow.Normal;
            case CallBlockStmt callBlock:
                output.Append(PythonFormatting.Str(CallWithCaller(callBlock, scope)));
                return Flow.Normal;
            case FilterBlockStmt filterBlock:
                output.Append(PythonFormatting.Str(EvalFilter(filterBlock.Filter, scope, Capture(filterBlock.Body, scope))));
                return Flow.Normal;
            case WithStmt with:
                return ExecuteWith(with, scope, output);
            case BlockStmt block:
                return Execute(block.Body, scope, output);
            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            default:
                throw new InvalidOperationException("unknown statement " + stmt.GetType().Name);
        }
    }

    private string Capture(Stmt[] body, Scope scope)
    {
        var buffer = new OutputBuffer(Options.MaxOutputChars);
        Execute(body, scope, buffer);
        return buffer.ToString();
    }

    private void RunLoop(ForStmt node, object? iterable, Scope scope, OutputBuffer output, int depth)
    {
        var items = FilterLoopItems(node, PyOps.Iterate(iterable), scope);
        if (items.Count == 0)
        {
            Execute(node.Otherwise, scope, output);
            return;
        }
        Func<object?, string>? recurse = node.Recursive ? inner => RecurseLoop(node, inner, scope, depth + 1) : null;
        var loop = new LoopContext(items, depth, recurse);
        for (int i = 0; i < items.Count; i++)
        {
            CountIteration();
            var iterationScope = new Scope(scope);
            Assign(node.Target, items[i], iterationScope);
            iterationScope.Set("loop", loop);
            loop.Index0 = i;
            if (Execute(node.Body, iterationScope, output) == Flow.Break)
                break;
        }
    }

    /// <summary><c>for x in xs if test</c>: the test sees the loop variable; <c>loop.length</c> counts survivors.</summary>
    private List<object?> FilterLoopItems(ForStmt node, List<object?> items, Scope scope)
    {
        if (node.Filter == null)
            return items;
        var kept = new List<object?>();
        foreach (var item in items)
        {
            CountIteration();
            var probe = new Scope(scope);
            Assign(node.Target, item, probe);
            if (PyOps.Truthy(Eval(node.Filter, probe)))
                kept.Add(item);
        }
        return kept;
    }

    private string RecurseLoop(ForStmt node, object? iterable, Scope scope, int depth)
    {
        EnterCall();
        try
        {
            var buffer = new OutputBuffer(Options.MaxOutputChars);
            RunLoop(node, iterable, scope, buffer, depth);
            return buffer.ToString();
        }
        finally
        {
            _callDepth--;
        }
    }

    private Flow ExecuteWith(WithStmt with, Scope scope, OutputBuffer output)
    {
        var values = with.Assignments.Select(a => Eval(a.Value, scope)).ToList();
        var inner = new Scope(scope);
        for (int i = 0; i < values.Count; i++)
            Assign(with.Assignments[i].Target, values[i], inner);
        return Execute(with.Body, inner, output);
    }

    private void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                break;
            case ListExpr tuple:
                var items = PyOps.Iterate(value);
                if (items.Count != tuple.Items.Length)
                {
                    throw TemplateRenderException.Type(items.Count > tuple.Items.Length
                        ? $"too many values to unpack (expected {tuple.Items.Length})"
                        : $"not enough values to unpack (expected {tuple.Items.Length}, got {items.Count})");
                }
                for (int i = 0; i < items.Count; i++)
                    Assign(tuple.Items[i], items[i], scope);
                break;
            case GetAttrExpr { Target: NameExpr ns } attr:
                if (Lookup(ns.Name, scope) is not Namespace space)
                    throw TemplateRenderException.Type("cannot assign attribute on non-namespace object");
                space.Attributes[attr.Name] = value;
                break;
            default:
                throw TemplateRenderException.Type("can't assign to " + target.GetType().Name);
        }
    }

    private void CountIteration()
    {
        if (++_iterations > Options.MaxLoopIterations)
            throw TemplateRenderException.Limit($"more than {Options.MaxLoopIterations} loop iterations (JinjaOptions.MaxLoopIterations)");
        cancellation.ThrowIfCancellationRequested();
    }

    private void EnterCall()
    {
        if (++_callDepth > Options.MaxRecursionDepth)
        {
            _callDepth--;
            throw TemplateRenderException.Limit($"macro calls nested deeper than {Options.MaxRecursionDepth} (JinjaOptions.MaxRecursionDepth)");
        }
        cancellation.ThrowIfCancellationRequested();
        RuntimeHelpers.EnsureSufficientExecutionStack(); // a generous MaxRecursionDepth must not crash the process
    }
}
