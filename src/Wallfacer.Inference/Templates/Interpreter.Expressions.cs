namespace Wallfacer.Inference.Templates;

/// <summary>Expression evaluation with jinja2 semantics over Python-like values.</summary>
internal sealed partial class Interpreter
{
    public object? Eval(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return Lookup(n.Name, scope);
            case GetAttrExpr g:
                return Attributes.GetAttr(Eval(g.Target, scope), g.Name);
            case GetItemExpr g:
                var target = Eval(g.Target, scope);
                return g.Index is SliceExpr slice ? Slice(target, slice, scope) : Attributes.GetItem(target, Eval(g.Index, scope));
            case CallExpr call:
                return Invoke(Eval(call.Callee, scope), EvalArguments(call.Arguments, scope));
            case FilterExpr filter:
                return EvalFilter(filter, scope, null);
            case TestExpr test:
                return JinjaTests.Apply(test.Name, Eval(test.Value, scope), EvalArguments(test.Arguments, scope));
            case BinaryExpr b:
                return PyOps.Binary(b.Op, Eval(b.Left, scope), Eval(b.Right, scope), Options.MaxOutputChars);
            case LogicalExpr l:
                var left = Eval(l.Left, scope);
                return PyOps.Truthy(left) == l.IsAnd ? Eval(l.Right, scope) : left;
            case NotExpr n:
                return !PyOps.Truthy(Eval(n.Operand, scope));
            case NegateExpr n:
                return PyOps.Negate(Eval(n.Operand, scope), n.IsMinus);
            case CompareExpr c:
                return EvalCompare(c, scope);
            case ConditionalExpr c:
                if (PyOps.Truthy(Eval(c.Test, scope)))
                    return Eval(c.Then, scope);
                return c.Otherwise != null
                    ? Eval(c.Otherwise, scope)
                    : Undefined.WithHint($"the inline if-expression on line {c.Line} evaluated to false and no else section was defined.");
            case ListExpr list:
                var items = new List<object?>(list.Items.Length);
                foreach (var item in list.Items)
                    items.Add(Eval(item, scope));
                return new PyList(items, list.IsTuple);
            case DictExpr dict:
                var result = new PyDict();
                foreach (var (key, value) in dict.Pairs)
                    result.Set(Eval(key, scope), Eval(value, scope));
                return result;
            default:
                throw new InvalidOperationException("unexpected expression " + expr.GetType().Name);
        }
    }

    private static object? Lookup(string name, Scope scope)
    {
        if (scope.TryGet(name, out var value))
            return value;
        return Globals.TryGet(name, out var global) ? global : Undefined.Named(name);
    }

    private bool EvalCompare(CompareExpr c, Scope scope)
    {
        var left = Eval(c.First, scope);
        foreach (var (op, operand) in c.Rest)
        {
            var right = Eval(operand, scope);
            bool ok = op switch
            {
                "eq" => PyOps.Equal(left, right),
                "ne" => !PyOps.Equal(left, right),
                "lt" => PyOps.CompareOp(left, right, "<"),
                "le" => PyOps.CompareOp(left, right, "<="),
                "gt" => PyOps.CompareOp(left, right, ">"),
                "ge" => PyOps.CompareOp(left, right, ">="),
                "in" => PyOps.Contains(right, left),
                _ => !PyOps.Contains(right, left),
            };
            if (!ok)
                return false;
            left = right;
        }
        return true;
    }

    /// <summary>Applies a filter; <paramref name="hole"/> is the input when the chain starts from a block body.</summary>
    private object? EvalFilter(FilterExpr filter, Scope scope, object? hole)
    {
        object? input = filter.Value switch
        {
            null => hole,
            FilterExpr inner when IsBlockChain(inner) => EvalFilter(inner, scope, hole),
            var value => Eval(value, scope),
        };
        return Filters.Apply(this, filter.Name, input, EvalArguments(filter.Arguments, scope));
    }

    private static bool IsBlockChain(FilterExpr filter) => filter.Value switch
    {
        null => true,
        FilterExpr inner => IsBlockChain(inner),
        _ => false,
    };

    private object? Slice(object? target, SliceExpr slice, Scope scope)
    {
        object? start = slice.Start == null ? null : Eval(slice.Start, scope);
        object? stop = slice.Stop == null ? null : Eval(slice.Stop, scope);
        object? step = slice.Step == null ? null : Eval(slice.Step, scope);
        return Attributes.Slice(target, start, stop, step);
    }

    public Arguments EvalArguments(ArgumentList list, Scope scope)
    {
        if (list.Positional.Length == 0 && list.Named.Length == 0 && list.StarArgs == null && list.StarKwargs == null)
            return Arguments.None;
        var positional = new List<object?>(list.Positional.Length);
        foreach (var arg in list.Positional)
            positional.Add(Eval(arg, scope));
        if (list.StarArgs != null)
            positional.AddRange(PyOps.Iterate(Eval(list.StarArgs, scope)));
        var named = new List<KeyValuePair<string, object?>>(list.Named.Length);
        foreach (var (name, value) in list.Named)
            named.Add(new(name, Eval(value, scope)));
        if (list.StarKwargs != null)
        {
            if (Eval(list.StarKwargs, scope) is not PyDict kwargs)
                throw TemplateRenderException.Type("argument after ** must be a mapping");
            foreach (var pair in kwargs.Pairs)
                named.Add(new(pair.Key as string ?? throw TemplateRenderException.Type("keywords must be strings"), pair.Value));
        }
        return new Arguments(positional, named);
    }

    public object? Invoke(object? callee, Arguments arguments) => callee switch
    {
        Undefined u => throw u.Fail(),
        ICallable f => f.Call(this, arguments),
        _ => throw TemplateRenderException.Type($"'{PyTypes.TypeName(callee)}' object is not callable"),
    };

    /// <summary>Runs a macro in a fresh scope over its closure: parameters bound by position or name,
    /// missing ones from defaults (evaluated at call time) or undefined; extras in <c>varargs</c>/<c>kwargs</c>.</summary>
    public string CallMacro(Macro macro, Arguments arguments)
    {
        EnterCall();
        try
        {
            var signature = macro.Signature;
            var scope = new Scope(macro.Closure);
            var named = arguments.Named.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            for (int i = 0; i < signature.Parameters.Length; i++)
                scope.Set(signature.Parameters[i], BindParameter(macro, i, arguments, named, scope));
            scope.Set("varargs", new PyList(arguments.Positional.Skip(signature.Parameters.Length).ToList(), isTuple: true));
            var kwargs = new PyDict();
            foreach (var pair in named)
                kwargs.Set(pair.Key, pair.Value);
            scope.Set("kwargs", kwargs);
            if (macro.Caller != null)
                scope.Set("caller", macro.Caller);
            return Capture(signature.Body, scope);
        }
        finally
        {
            _callDepth--;
        }
    }

    private object? BindParameter(Macro macro, int index, Arguments arguments, Dictionary<string, object?> named, Scope scope)
    {
        string name = macro.Signature.Parameters[index];
        bool byName = named.Remove(name, out var namedValue);
        if (index < arguments.Positional.Count)
        {
            if (byName)
                throw TemplateRenderException.Type($"macro '{macro.Name}' got multiple values for argument '{name}'");
            return arguments.Positional[index];
        }
        if (byName)
            return namedValue;
        var fallback = macro.Signature.Defaults[index];
        return fallback != null ? Eval(fallback, scope) : Undefined.WithHint($"parameter '{name}' was not provided");
    }

    private object? CallWithCaller(CallBlockStmt node, Scope scope)
    {
        var caller = new Macro(node.Caller, scope);
        var callee = Eval(node.Call.Callee, scope);
        var arguments = EvalArguments(node.Call.Arguments, scope);
        return callee is Macro macro ? macro.WithCaller(caller).Call(this, arguments) : Invoke(callee, arguments);
    }
}
