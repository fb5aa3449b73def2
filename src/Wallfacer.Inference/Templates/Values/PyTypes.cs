namespace Wallfacer.Inference.Templates;

/// <summary>Python type names of our values, for error messages and undefined hints.</summary>
internal static class PyTypes
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        PyList { IsTuple: true } => "tuple",
        PyList => "list",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        Macro => "Macro",
        BoundMethod => "builtin_function_or_method",
        ICallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>jinja's <c>object_type_repr</c>: <c>'None'</c>, <c>'dict object'</c>, ...</summary>
    public static string ObjectRepr(object? value) => value switch
    {
        null => "'None'",
        Namespace => "'jinja2.utils.Namespace object'",
        LoopContext => "'jinja2.runtime.LoopContext object'",
        Macro => "'jinja2.runtime.Macro object'",
        _ => $"'{TypeName(value)} object'",
    };
}
