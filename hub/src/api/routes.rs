//! Every route of the API with the least role it asks for and what it
//! does: one function per area. The same table builds the router, the
//! gate's access map and `/api/v1/openapi.json`.

use axum::http::Method;

use super::table::Table;
use super::{
    alarms, broadcasts, console, devices, events, hazards, map, observe, openapi, people, risks,
    session, statistics, tokens, users, vehicles, zones,
};
use crate::auth::Role::{Admin, Guard, Operator, Safety, Viewer};

/// Every route.
pub(super) fn table() -> Table {
    let t = Table::default();
    let t = pages(t);
    let t = devices(t);
    let t = events(t);
    let t = alarms(t);
    let t = people(t);
    let t = program(t);
    let t = broadcasts(t);
    let t = clips(t);
    let t = sign_in(t);
    admin(t)
}

/// The console, this API's own description, health and metrics.
fn pages(t: Table) -> Table {
    t.on(
        Method::GET,
        "/",
        None,
        "The console (its sign-in page when nobody is signed in)",
        console::page,
    )
    .on(
        Method::GET,
        "/{file}",
        None,
        "The console's scripts and styles, named by content hash",
        console::asset,
    )
    .on(
        Method::GET,
        "/api/v1/openapi.json",
        None,
        "This API as an OpenAPI 3.1 document",
        openapi::document,
    )
    .on(
        Method::GET,
        "/api/v1/central/hello",
        None,
        "Whether this is a command centre (`twinwall central`): a hub answers `central: false`",
        console::not_central,
    )
    .on(
        Method::GET,
        "/api/docs",
        None,
        "This API as a page: every route, its least role and what it does",
        openapi::docs_page,
    )
    .on(
        Method::GET,
        "/api/v1/health",
        Some(Viewer),
        "Hub, bus and driver health",
        devices::health,
    )
    .on(
        Method::GET,
        "/metrics",
        Some(Viewer),
        "Prometheus metrics",
        observe::metrics,
    )
}

/// Drivers and devices: their state, commands, quarantines, discovery.
fn devices(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/drivers",
        Some(Viewer),
        "Loaded drivers, their commands and argument schemas",
        devices::drivers,
    )
    .on(
        Method::GET,
        "/api/v1/devices",
        Some(Viewer),
        "Every device and its link state (within the caller's zones)",
        devices::list,
    )
    .on(
        Method::GET,
        "/api/v1/zones",
        Some(Viewer),
        "The site's zones: id, path, name, parent, standing risk colour",
        zones::list,
    )
    .on(
        Method::GET,
        "/api/v1/map",
        Some(Viewer),
        "The campus map: plans, zone outlines, device places (the caller's devices)",
        map::map,
    )
    .on(
        Method::GET,
        "/api/v1/map/plan",
        Some(Viewer),
        "The site's plan picture",
        map::site_plan,
    )
    .on(
        Method::GET,
        "/api/v1/map/plans/{zone}",
        Some(Viewer),
        "A zone's own plan picture (a building's floor)",
        map::zone_plan,
    )
    .put_json::<map::PlaceRequest, _, _>(
        "/api/v1/map/devices/{id}",
        Some(Admin),
        "Put a device at a new place on its zone's plan (kept; `device.placed`)",
        map::place_device,
    )
    .on(
        Method::GET,
        "/api/v1/statistics",
        Some(Viewer),
        "Events per day in the six dimensions, by zone and kind; alarms per day, by zone, kind, level; time to acknowledge (the caller's zones)",
        statistics::figures,
    )
    .query::<statistics::RangeQuery>()
    .on(
        Method::POST,
        "/api/v1/devices/{id}/release",
        Some(Admin),
        "End a device's quarantine now",
        devices::release_device,
    )
    .on(
        Method::POST,
        "/api/v1/drivers/{name}/release",
        Some(Admin),
        "End a driver's quarantine now",
        devices::release_driver,
    )
    .on(
        Method::GET,
        "/api/v1/devices/{id}",
        Some(Viewer),
        "One device",
        devices::one,
    )
    .post_json::<devices::CommandBody, _, _>(
        "/api/v1/devices/{id}/commands",
        Some(Guard),
        "Send a command; answers once the device confirmed (a guard: gates and doors of its zones)",
        devices::command,
    )
    .on(
        Method::POST,
        "/api/v1/discovery/onvif",
        Some(Operator),
        "Send a WS-Discovery probe and list who answered",
        observe::discover_onvif,
    )
    .query::<observe::DiscoverQuery>()
}

/// The log: queries, the live stream, pictures, the northbound bridge.
fn events(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/events",
        Some(Viewer),
        "Query stored events, oldest first (within the caller's zones)",
        events::list,
    )
    .query::<events::EventQuery>()
    .on(
        Method::GET,
        "/api/v1/events/stream",
        Some(Viewer),
        "Live events as Server-Sent Events, resumable",
        events::stream,
    )
    .query::<events::EventQuery>()
    .on(
        Method::GET,
        "/api/v1/events/{seq}",
        Some(Viewer),
        "One stored event",
        events::one,
    )
    .on(
        Method::GET,
        "/api/v1/media/{hash}",
        Some(Viewer),
        "A stored picture",
        events::media,
    )
    .on(
        Method::GET,
        "/api/v1/northbound",
        Some(Viewer),
        "The MQTT bridge's status",
        observe::northbound,
    )
    .on(
        Method::GET,
        "/api/v1/northbound/jetstream",
        Some(Viewer),
        "The JetStream publisher's status: its stream, cursor, lag, duplicates dropped",
        observe::jetstream,
    )
}

/// The alarm book: the wall, one alarm, what people do to them, KPIs.
fn alarms(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/alarms",
        Some(Viewer),
        "Alarms, highest level then longest waiting first; grouped by zone and kind in a flood",
        alarms::list,
    )
    .query::<alarms::AlarmQuery>()
    .on(
        Method::GET,
        "/api/v1/alarms/kpis",
        Some(Viewer),
        "Alarm figures: rate, time to acknowledge and close, flood time, standing, chattering, top sources",
        alarms::kpis,
    )
    .query::<alarms::KpiQuery>()
    .on(
        Method::GET,
        "/api/v1/alarms/stream",
        Some(Viewer),
        "Each alarm as it changes, as Server-Sent Events",
        alarms::stream,
    )
    .on(
        Method::GET,
        "/api/v1/alarms/{id}",
        Some(Viewer),
        "One alarm: its device events, its history, its pictures",
        alarms::one,
    )
    .post_json::<alarms::NoteBody, _, _>(
        "/api/v1/alarms/{id}/ack",
        Some(Guard),
        "Acknowledge an alarm (a guard: within its zones)",
        alarms::ack,
    )
    .post_json::<alarms::AssignBody, _, _>(
        "/api/v1/alarms/{id}/assign",
        Some(Operator),
        "Give an alarm to a person (the caller when `to` is absent)",
        alarms::assign,
    )
    .post_json::<alarms::NoteBody, _, _>(
        "/api/v1/alarms/{id}/hold",
        Some(Operator),
        "Put an alarm on hold",
        alarms::hold,
    )
    .post_json::<alarms::ShelveBody, _, _>(
        "/api/v1/alarms/{id}/shelve",
        Some(Operator),
        "Shelve an alarm for some minutes, with a reason",
        alarms::shelve,
    )
    .on(
        Method::POST,
        "/api/v1/alarms/{id}/unshelve",
        Some(Operator),
        "Put a shelved alarm back on the wall",
        alarms::unshelve,
    )
    .post_json::<alarms::ReasonBody, _, _>(
        "/api/v1/alarms/{id}/out-of-service",
        Some(Operator),
        "Take an alarm out of service, with a reason",
        alarms::out_of_service,
    )
    .on(
        Method::POST,
        "/api/v1/alarms/{id}/in-service",
        Some(Operator),
        "Put an alarm back in service",
        alarms::in_service,
    )
    .post_json::<alarms::CloseBody, _, _>(
        "/api/v1/alarms/{id}/close",
        Some(Operator),
        "Close a cleared, acknowledged alarm with a resolution (and a note where required)",
        alarms::close,
    )
}

/// People signing in and out; the admin's people and units.
fn sign_in(t: Table) -> Table {
    t.post_json::<session::SignIn, _, _>(
        "/api/v1/session",
        None,
        "Sign in with login and password: a session cookie and its CSRF token",
        session::sign_in,
    )
    .on(
        Method::GET,
        "/api/v1/session",
        Some(Viewer),
        "Who is calling; with a session, its CSRF token",
        session::whoami,
    )
    .on(
        Method::DELETE,
        "/api/v1/session",
        Some(Viewer),
        "Sign out",
        session::sign_out,
    )
    .on(
        Method::GET,
        "/api/v1/users",
        Some(Admin),
        "The people who sign in (never passwords)",
        users::list,
    )
    .post_json::<users::AddUser, _, _>(
        "/api/v1/users",
        Some(Admin),
        "Add a person (a password is made when none is given, answered once)",
        users::add,
    )
    .post_json::<users::Password, _, _>(
        "/api/v1/users/{login}/password",
        Some(Admin),
        "Set a person's password; their sessions end",
        users::password,
    )
    .on(
        Method::POST,
        "/api/v1/users/{login}/disable",
        Some(Admin),
        "Disable a person; their sessions and streams end",
        users::disable,
    )
    .on(
        Method::POST,
        "/api/v1/users/{login}/enable",
        Some(Admin),
        "Enable a disabled person",
        users::enable,
    )
    .on(
        Method::GET,
        "/api/v1/units",
        Some(Admin),
        "The university's units",
        users::units,
    )
    .post_json::<crate::accounts::Unit, _, _>(
        "/api/v1/units",
        Some(Admin),
        "Add a unit",
        users::add_unit,
    )
}

/// The people and vehicle views.
fn people(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/people/stats",
        Some(Viewer),
        "People in and out per zone and category",
        people::stats,
    )
    .query::<people::PeopleQuery>()
    .on(
        Method::GET,
        "/api/v1/people/visitors",
        Some(Viewer),
        "Visitors present and overdue",
        people::visitors,
    )
    .query::<people::PeopleQuery>()
    .on(
        Method::GET,
        "/api/v1/vehicles/present",
        Some(Viewer),
        "Vehicles on campus",
        vehicles::present,
    )
    .query::<vehicles::PresentQuery>()
    .on(
        Method::GET,
        "/api/v1/vehicles/violations",
        Some(Viewer),
        "Vehicle rule violations",
        vehicles::violations,
    )
    .query::<vehicles::ViolationQuery>()
}

/// Zone broadcasts.
fn broadcasts(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/broadcasts",
        Some(Viewer),
        "Recent broadcast jobs",
        broadcasts::list,
    )
    .post_json::<crate::broadcast::BroadcastRequest, _, _>(
        "/api/v1/broadcasts",
        Some(Operator),
        "Speak to zones now or on a schedule",
        broadcasts::create,
    )
    .on(
        Method::GET,
        "/api/v1/broadcasts/{id}",
        Some(Viewer),
        "One job, every speaker's outcome",
        broadcasts::one,
    )
    .on(
        Method::DELETE,
        "/api/v1/broadcasts/{id}",
        Some(Operator),
        "Stop a job everywhere",
        broadcasts::cancel,
    )
}

/// Clips, schedules and the linkage rules.
fn clips(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/clips",
        Some(Viewer),
        "Stored clips",
        broadcasts::clips,
    )
    .add(
        Method::POST,
        "/api/v1/clips",
        Some(Operator),
        "Upload a clip (WAV or raw G.711)",
        axum::routing::post(broadcasts::upload)
            .layer(axum::extract::DefaultBodyLimit::max(32 << 20)),
    )
    .query::<broadcasts::UploadQuery>()
    .on(
        Method::GET,
        "/api/v1/clips/{hash}",
        Some(Viewer),
        "One clip",
        broadcasts::clip,
    )
    .on(
        Method::GET,
        "/api/v1/schedules",
        Some(Viewer),
        "Scheduled broadcasts",
        broadcasts::schedules,
    )
    .on(
        Method::GET,
        "/api/v1/schedules/{id}",
        Some(Viewer),
        "One schedule",
        broadcasts::schedule,
    )
    .on(
        Method::DELETE,
        "/api/v1/schedules/{id}",
        Some(Operator),
        "Remove a schedule",
        broadcasts::unschedule,
    )
    .on(
        Method::GET,
        "/api/v1/rules",
        Some(Viewer),
        "Linkage rules in force",
        broadcasts::rules,
    )
    .on(
        Method::POST,
        "/api/v1/rules/reload",
        Some(Admin),
        "Re-read the rules file",
        broadcasts::reload_rules,
    )
}

/// API tokens.
fn admin(t: Table) -> Table {
    t.on(
        Method::GET,
        "/api/v1/tokens",
        Some(Admin),
        "API tokens (never their secrets)",
        tokens::list,
    )
    .post_json::<tokens::TokenRequest, _, _>(
        "/api/v1/tokens",
        Some(Admin),
        "Make a token (its secret is shown once)",
        tokens::create,
    )
    .on(
        Method::DELETE,
        "/api/v1/tokens/{id}",
        Some(Admin),
        "Revoke a token",
        tokens::revoke,
    )
}

/// The dual-prevention program: the register, the lists, rounds, hazards
/// and their loop, the assessment. A step of the loop asks for the least
/// role that can ever take it; the loop itself checks the rest (a unit's
/// people rectify their unit's hazards, safety officers notice and accept,
/// the program office accepts 重大 ones).
fn program(t: Table) -> Table {
    let t = t
        .on(
            Method::GET,
            "/api/v1/risks/points",
            Some(Viewer),
            "The risk register: points with their hazard sources, assessment, level, measures, devices, review (the caller's zones and unit)",
            risks::points,
        )
        .query::<risks::PointQuery>()
        .post_json::<crate::program::PointInput, _, _>(
            "/api/v1/risks/points",
            Some(Safety),
            "Save a risk point (new or changed; `risk.point_saved`); its level from the configured bands",
            risks::save_point,
        )
        .on(
            Method::GET,
            "/api/v1/risks/points/{id}",
            Some(Viewer),
            "One risk point",
            risks::point,
        )
        .on(
            Method::DELETE,
            "/api/v1/risks/points/{id}",
            Some(Safety),
            "Remove a risk point (`risk.point_removed`)",
            risks::remove_point,
        )
        .post_json::<risks::ReviewBody, _, _>(
            "/api/v1/risks/points/{id}/review",
            Some(Safety),
            "Record a point's yearly review (`risk.point_reviewed`, 第十三条)",
            risks::review_point,
        )
        .on(
            Method::GET,
            "/api/v1/program",
            Some(Viewer),
            "The program's settings for its pages: categories, bands, terms (and today's), the office's unit, the units and the caller's",
            risks::settings,
        )
        .on(
            Method::GET,
            "/api/v1/program/figures",
            Some(Viewer),
            "The command centre's figures: hazards found and closed per week, time to close, overdue share by unit, risk points by level",
            risks::figures,
        )
        .query::<risks::FiguresQuery>()
        .on(
            Method::GET,
            "/api/v1/lists",
            Some(Viewer),
            "The program's six lists: ids, names, which are imported",
            risks::lists_index,
        )
        .on(
            Method::GET,
            "/api/v1/lists/{list}",
            Some(Viewer),
            "One list as JSON, CSV (UTF-8 BOM) or XLSX, with the program's column names",
            risks::list,
        )
        .query::<risks::ListQuery>()
        .add(
            Method::POST,
            "/api/v1/lists/{list}",
            Some(Safety),
            "Import risk-points, risk-levels or hazard-sources from an XLSX or CSV body: every row checked, all saved or none (400 names row and column)",
            axum::routing::post(risks::import)
                .layer(axum::extract::DefaultBodyLimit::max(super::MAX_PHOTO_BODY)),
        )
        .on(
            Method::GET,
            "/api/v1/assessment",
            Some(Viewer),
            "Each unit's score for a term (附件2) with every deduction, its cause and links; JSON or XLSX",
            risks::assessment,
        )
        .query::<risks::AssessmentQuery>()
        .post_photos::<crate::program::EntryInput, _, _>(
            "/api/v1/assessment/entries",
            Some(Safety),
            "An item of the assessment the data cannot show, entered by the program office with evidence (`assessment.entered`)",
            risks::enter,
        )
        .on(
            Method::GET,
            "/api/v1/inspections",
            Some(Viewer),
            "Inspection tasks with this period's round, the newest rounds, missed rounds",
            hazards::inspections,
        )
        .post_json::<crate::program::TaskInput, _, _>(
            "/api/v1/inspections/tasks",
            Some(Safety),
            "Save an inspection task of a risk point (`inspection.task_saved`)",
            hazards::save_task,
        )
        .on(
            Method::DELETE,
            "/api/v1/inspections/tasks/{id}",
            Some(Safety),
            "Remove an inspection task",
            hazards::remove_task,
        )
        .post_photos::<crate::program::RoundInput, _, _>(
            "/api/v1/inspections/rounds",
            Some(Guard),
            "A round done, with photos; hazards found on it opened with it; a resend with the same client_id makes nothing twice",
            hazards::round,
        )
        .on(
            Method::GET,
            "/api/v1/hazards",
            Some(Viewer),
            "Hazards (origin person or rule, state, steps, overdue), newest first, with counts",
            hazards::list,
        )
        .query::<hazards::HazardQuery>()
        .on(
            Method::GET,
            "/api/v1/hazards/{id}",
            Some(Viewer),
            "One hazard with its steps",
            hazards::one,
        )
        .post_photos::<crate::program::Report, _, _>(
            "/api/v1/hazards",
            Some(Guard),
            "Report a hazard with photos (`hazard.opened`); a resend with the same client_id makes nothing twice",
            hazards::report,
        );
    t.post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/fix",
        Some(Guard),
        "即查即改: fixed at once, closed with the evidence (the hazard's unit or safety)",
        hazards::fix,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/notice",
        Some(Safety),
        "下发整改通知: unit, person, deadline",
        hazards::notice,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/plan",
        Some(Guard),
        "A 重大 hazard's treatment plan, 第十八条 (the hazard's unit or safety)",
        hazards::plan,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/start",
        Some(Guard),
        "Rectification begins (the hazard's unit or safety)",
        hazards::start,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/progress",
        Some(Guard),
        "治理进度反馈, with photos (the hazard's unit or safety)",
        hazards::progress,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/submit",
        Some(Guard),
        "Submitted for acceptance, with photos (the hazard's unit or safety)",
        hazards::submit,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/accept",
        Some(Safety),
        "验收通过: 销号 (a 重大 hazard by the program office; a rule's once its condition ended)",
        hazards::accept,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/reject",
        Some(Safety),
        "验收不通过: back to rectification",
        hazards::reject,
    )
    .post_photos::<hazards::StepBody, _, _>(
        "/api/v1/hazards/{id}/cancel",
        Some(Safety),
        "Not a hazard, or a duplicate, with the reason",
        hazards::cancel,
    )
}
