from costguard.graph import UNKNOWN, Graph, Resource, make_urn


def test_urn_is_engine_style_with_parent_chain():
    assert make_urn("dev", "p", "aws:s3/bucket:Bucket", "b") == "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b"
    assert (
        make_urn("dev", "p", "aws:s3/bucket:Bucket", "b", "my:c:Comp")
        == "urn:pulumi:dev::p::my:c:Comp$aws:s3/bucket:Bucket::b"
    )


def test_props_prefer_known_inputs_and_fill_unknowns_from_outputs():
    r = Resource(urn="u", type="t", name="n", inputs={"a": 1, "b": UNKNOWN}, outputs={"a": 2, "b": 3, "c": 4})
    assert r.props == {"a": 1, "b": 3, "c": 4}


def test_graph_round_trips_through_dict():
    g = Graph("p", "dev", [Resource(urn="u", type="t", name="n", parent="x")], {"aws:region": "eu-west-1"})
    again = Graph.from_dict(g.to_dict())
    assert again == g and again.region == "eu-west-1"
