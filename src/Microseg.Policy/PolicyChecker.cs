using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading;
using Microseg.Policy.Model;
using Microseg.Policy.Validation;

namespace Microseg.Policy;

/// <summary>Loads and validates a policy: the entry point for <c>microsegctl policy check</c> and the daemon.</summary>
public static class PolicyChecker
{
    /// <summary>Reads <paramref name="path"/> (and its includes) and reports every problem at once.</summary>
    /// <param name="path">The main policy file, as the user named it (messages repeat it as given).</param>
    /// <param name="capacityChecks">The compiler's capacity checks, run only on an otherwise valid policy.</param>
    public static PolicyCheckResult CheckFile(string path, IEnumerable<IPolicyCapacityCheck>? capacityChecks = null)
    {
        if (!PolicyFileReader.TryRead(path, out string text, out string failure))
        {
            return new PolicyCheckResult(failure, null, []);
        }

        return CheckText(path, text, capacityChecks);
    }

    /// <summary>Validates <paramref name="text"/> as if read from <paramref name="path"/> (includes are resolved against it).</summary>
    public static PolicyCheckResult CheckText(string path, string text, IEnumerable<IPolicyCapacityCheck>? capacityChecks = null)
    {
        var bag = new DiagnosticBag();
        PolicyDocument? document = new PolicyLoader(bag).Load(path, text);
        if (document is not null)
        {
            new PolicyValidator(bag, document).Validate();
            if (!bag.HasErrors)
            {
                foreach (Diagnostic diagnostic in (capacityChecks ?? []).SelectMany(c => c.Check(document)))
                {
                    bag.Add(diagnostic);
                }
            }
        }

        return new PolicyCheckResult(null, document, bag.ToSortedList());
    }
}
