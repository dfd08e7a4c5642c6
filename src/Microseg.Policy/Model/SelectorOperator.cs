namespace Microseg.Policy.Model;

/// <summary>A set-based test on one label.</summary>
public enum SelectorOperator
{
    /// <summary>The label is present and its value is listed.</summary>
    In,

    /// <summary>The label is absent, or its value is not listed.</summary>
    NotIn,

    /// <summary>The label is present, whatever its value.</summary>
    Exists,
}
