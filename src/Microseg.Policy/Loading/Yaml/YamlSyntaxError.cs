namespace Microseg.Policy.Loading.Yaml;

/// <summary>Why a file is not YAML, and where: what both loaders (policy and settings) report as FILE:LINE:COL.</summary>
/// <param name="Line">1-based line where reading stopped.</param>
/// <param name="Column">1-based column where reading stopped.</param>
/// <param name="Message">One sentence, without the position (the caller prefixes it): "YAML syntax error: …" when the text is not YAML, else the limit it passes.</param>
/// <param name="Hint">What to do about it, when something helpful can be said; null otherwise.</param>
/// <param name="DuplicateKey">The key when the error is a key repeated in one mapping, which each loader words its own way; null otherwise.</param>
internal sealed record YamlSyntaxError(int Line, int Column, string Message, string? Hint = null, string? DuplicateKey = null);
