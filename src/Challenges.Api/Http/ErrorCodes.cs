namespace Challenges.Api.Http;

/// <summary>The stable error codes of docs/contract.md §1.1, one place for all of them.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string ExpiredToken = "expired_token";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InvalidCredential = "invalid_credential";

    /// <summary>A passkey the server does not hold (any more): the SDKs then make the device forget it.</summary>
    public const string UnknownCredential = "unknown_credential";
    public const string Conflict = "conflict";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string TooManyRequests = "too_many_requests";
    public const string DeliveryFailed = "delivery_failed";
    public const string ServiceUnavailable = "service_unavailable";
    public const string ServerError = "server_error";

    public static int StatusOf(string code) => code switch
    {
        InvalidRequest or InvalidCredential => StatusCodes.Status400BadRequest,
        Unauthorized or ExpiredToken => StatusCodes.Status401Unauthorized,
        Forbidden => StatusCodes.Status403Forbidden,
        NotFound or UnknownCredential => StatusCodes.Status404NotFound,
        MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        Conflict => StatusCodes.Status409Conflict,
        PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        TooManyRequests => StatusCodes.Status429TooManyRequests,
        DeliveryFailed => StatusCodes.Status502BadGateway,
        ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
