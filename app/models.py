"""Request and response bodies, in the shapes the existing Leaflet client sends and reads."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, strict=True, allow_inf_nan=False, examples=[52.4042])]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, strict=True, allow_inf_nan=False, examples=[-2.7013])]
Size = Literal["S", "M", "L"]


class RequestBody(BaseModel):
    """Unknown fields are ignored, not refused: a client that adds one (an accuracy, a timestamp)
    keeps working, and every field the API reads is required, so a misspelt one ("lon") is still
    a 422 naming the missing field."""

    model_config = ConfigDict(extra="ignore")


class LatLng(RequestBody):
    lat: Latitude
    lng: Longitude


class ReportRequest(LatLng):
    """One place where someone felt unsafe; only the cells containing it are counted."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"lat": 52.4042, "lng": -2.7013}]})


class ReportAccepted(BaseModel):
    status: Literal["accepted"] = "accepted"


class Viewport(RequestBody):
    """The map's visible rectangle. `topleft` is the north-west corner, `bottomright` the south-east.

    A top-left longitude greater than the bottom-right one means the viewport crosses the antimeridian.
    """

    topleft: LatLng
    bottomright: LatLng

    @model_validator(mode="after")
    def _north_west_of_south_east(self) -> Viewport:
        if self.topleft.lat == self.bottomright.lat:
            raise ValueError("topleft.lat and bottomright.lat must differ (the viewport has no height)")
        if self.topleft.lat < self.bottomright.lat:
            raise ValueError(
                "topleft.lat must be greater than bottomright.lat (top-left is the north-west corner)"
            )
        if self.topleft.lng == self.bottomright.lng:
            raise ValueError("topleft.lng and bottomright.lng must differ (the viewport has no width)")
        # 180 and -180 are one meridian: "across the antimeridian" from one to the other is no width.
        if self.topleft.lng == 180.0 and self.bottomright.lng == -180.0:
            raise ValueError(
                "topleft.lng 180 and bottomright.lng -180 are the same meridian (the viewport has no width)"
            )
        return self


class HeatmapRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "size": "M",
                    "range": {
                        "topleft": {"lat": 52.42, "lng": -2.73},
                        "bottomright": {"lat": 52.39, "lng": -2.67},
                    },
                }
            ]
        },
    )

    size: Size = Field(
        description="Cell size: S ~38x19 m, M ~153 m, L ~1.2x0.6 km (geohash precision 8, 7, 6)"
    )
    viewport: Viewport = Field(alias="range")


class HeatPoint(BaseModel):
    lat: float = Field(description="Latitude of the cell's centre")
    lng: float = Field(description="Longitude of the cell's centre")
    intensity: float = Field(
        ge=0.0, le=1.0, description="Reports in the cell / reports in the viewport's busiest cell"
    )
    age: int = Field(ge=0, description="Seconds since the cell's latest report (minute resolution)")


class HeatmapResponse(BaseModel):
    size: Size
    points: list[HeatPoint]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    table: Literal["reachable", "unreachable"]
    store_ms: float = Field(
        ge=0.0, description="Milliseconds the table's GetItem took (until it failed, when unreachable)"
    )


class Liveness(BaseModel):
    status: Literal["ok"] = Field(
        default="ok", description="Always ok: any answer means the process serves HTTP"
    )
