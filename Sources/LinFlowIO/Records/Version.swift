public enum LinflowVersion {
    public static let string = "0.4.0"
}
