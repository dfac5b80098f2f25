"""An Analyzer gRPC server that answers every Analyze with an empty response, served as the SDK serves a pack.

The same server set-up as pulumi_policy's PolicyPack (grpc.server over a 4-thread pool on 127.0.0.1:0,
the port on the first line of stdout), without the SDK or any policy: what the protocol alone costs.

Usage: python -m bench._bare_analyzer
"""

import sys
from concurrent import futures

import grpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc


class _Empty(analyzer_pb2_grpc.AnalyzerServicer):
    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: object) -> analyzer_pb2.AnalyzeResponse:
        return analyzer_pb2.AnalyzeResponse()


if __name__ == "__main__":
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(_Empty(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()
