global using Akka.Actor;
global using AkkaRlhf.TestKit;
