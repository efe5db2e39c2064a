namespace Challenges.Api.PushDelivery;

/// <summary>Why a notification did not reach a device: the <c>errorCode</c> of a delivery result.</summary>
public static class PushErrorCodes
{
    /// <summary>The device registered no push token.</summary>
    public const string TokenMissing = "push_token_missing";

    /// <summary>The push service refused the token: it is unknown, expired, or belongs to another app or project.</summary>
    public const string TokenInvalid = "push_token_invalid";

    /// <summary>The tenant has no credentials for the push service the device's token belongs to.</summary>
    public const string NotConfigured = "push_not_configured";

    /// <summary>The push service refused the request, failed, or did not answer while the challenge was open.</summary>
    public const string ProviderError = "provider_error";
}
