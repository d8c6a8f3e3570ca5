global using AkkaRlhf.Runtime;
