//! Twinwall driver for plate-reading cameras speaking Hikvision-ISAPI-style
//! ANPR: barrier gates at the campus gates (车辆道闸) and speed cameras on the
//! campus roads (车辆卡口测速), one driver with a profile per family
//! (`device-profiles/vehicle/`).
//!
//! Like the face gates, a camera pushes to the hub (`mode = "push"`: the
//! driver asks for a listener and sets the camera's `httpHosts`) or the hub
//! holds its alert stream (`mode = "stream"`). Each read (`EventNotificationAlert`
//! with `eventType` ANPR, a plate picture and a scene picture) becomes
//! `vehicle.plate` (pictures as media), and by the profile's lanes
//! `vehicle.passage` (entry or exit) or, over the limit, `vehicle.speeding`;
//! repeats of a plate in a lane within the profile's window are one read.
//! Barrier movements are `barrier.state`; commands
//! `barrier.open|close|keep_open|release`. The campus vehicle rules (who is
//! inside, overstays, violations) are the hub's, not the driver's.

mod camera;
mod profile;
pub mod read;

pub use camera::Camera;

twinwall_plugin_sdk::export_driver!(Camera);
