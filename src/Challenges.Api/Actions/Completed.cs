using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>The action after a challenge's result was committed, and the authenticator that answered (as verified then).</summary>
public sealed record Completed(ActionRecord? Action, AuthenticatorRecord? Authenticator = null, string? AccessToken = null);
