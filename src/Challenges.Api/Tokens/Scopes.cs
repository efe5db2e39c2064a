namespace Challenges.Api.Tokens;

/// <summary>The client token scopes of docs/contract.md §1.3.</summary>
public static class Scopes
{
    public const string ReadAuthenticators = "read:authenticators";
    public const string AddAuthenticators = "add:authenticators";
    public const string UpdateAuthenticators = "update:authenticators";
    public const string RemoveAuthenticators = "remove:authenticators";

    public static readonly string[] All = [ReadAuthenticators, AddAuthenticators, UpdateAuthenticators, RemoveAuthenticators];

    /// <summary>Splits a space separated scope string; the default is <c>read:authenticators</c>.</summary>
    public static string[] Parse(string? scope) =>
        string.IsNullOrWhiteSpace(scope)
            ? [ReadAuthenticators]
            : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();

    public static bool AreKnown(string? scope) => Parse(scope).All(s => All.Contains(s, StringComparer.Ordinal));
}
