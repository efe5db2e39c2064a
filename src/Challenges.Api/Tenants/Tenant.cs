namespace Challenges.Api.Tenants;

/// <summary>A tenant as the server uses it: validated options plus derived lookups.</summary>
public sealed class Tenant(TenantOptions options)
{
    public string Id { get; } = options.Id;
    public TenantOptions Options { get; } = options;
    public IReadOnlyList<string> SecretKeys { get; } = [.. options.SecretKeys];
    public IReadOnlyList<string> VerificationMethods { get; } =
        options.VerificationMethods.Count == 0 ? Tenants.VerificationMethods.Default : [.. options.VerificationMethods];
    public LimitOptions Limits => Options.Limits;

    /// <summary>What users see the tenant called (<c>Tenants__N__Name</c>), else its id.</summary>
    public string Name => string.IsNullOrWhiteSpace(Options.Name) ? Id : Options.Name;

    /// <summary>An SMS or WhatsApp code may go to <paramref name="phoneNumber"/>: the tenant allows its country (<see cref="LimitOptions.PhonePrefixes"/>).</summary>
    public bool AllowsPhone(string phoneNumber) =>
        Limits.PhonePrefixes.Count == 0 || Limits.PhonePrefixes.Any(p => phoneNumber.StartsWith(p, StringComparison.Ordinal));

    public string OutcomeOf(string actionCode) =>
        Options.Actions.TryGetValue(actionCode, out var outcome) ? outcome : ActionOutcomes.Challenge;

    public bool Allows(string verificationMethod) => VerificationMethods.Contains(verificationMethod, StringComparer.Ordinal);
}
