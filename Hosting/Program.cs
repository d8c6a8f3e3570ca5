namespace AkkaRlhf.Hosting; public static class Program { public static int Main(string[] args) { System.Console.WriteLine("akka-rlhf"); return 0; } }
